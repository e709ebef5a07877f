"""Text handling: normalising text and terms alike, word forms, sentences, language identification.

``normalize`` folds case and accents with a map back to original offsets; ``inflect`` and
``stemming`` generate the forms a term matches; ``sentences`` finds sentence spans in a field;
``language_id`` decides which language pack reads an article.
"""
