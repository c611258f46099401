"""The one exception type that means "the user gave us something wrong".

The command-line entry point turns it into a single line on stderr and exit code 2, so every
message must name the file, row or field and say what was expected.
"""


class PipelineError(Exception):
    """A user error (bad input, missing file, failed check): reported in one line, no traceback."""
