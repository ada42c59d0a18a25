"""From raw text to article rows: paragraphs, normalisation, language, the per-article build."""
