"""Copy a fitted scikit-learn vectoriser and classifier into the plain arrays a shipped model stores."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def fitted_fields(vectorizer: TfidfVectorizer, classifier: LogisticRegression) -> dict[str, Any]:
    """classes, vocabulary, idf, coef and intercept: the `LinearTextModel` fields a fit decides."""
    return {
        "classes": tuple(str(name) for name in classifier.classes_),
        "vocabulary": {str(term): int(index) for term, index in vectorizer.vocabulary_.items()},
        "idf": np.asarray(vectorizer.idf_, dtype=np.float64),
        "coef": np.asarray(classifier.coef_, dtype=np.float64),
        "intercept": np.asarray(classifier.intercept_, dtype=np.float64),
    }
