//! Cross-cutting tests live in `tests/tests/`.
