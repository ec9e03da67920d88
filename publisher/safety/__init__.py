"""Safety: personal information never leaks, wording is checked, nothing goes out unreviewed."""
