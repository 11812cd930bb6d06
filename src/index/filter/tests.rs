//! Unit tests of the filter compiler and evaluator.
