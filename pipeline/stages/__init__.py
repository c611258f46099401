"""The six DVC stages (`python -m pipeline <stage>`, declared in dvc.yaml), each thin.

A stage parses its arguments, calls the library modules of the other packages and writes its
outputs; it holds no logic another module needs. Nothing outside this package imports a stage.
"""
