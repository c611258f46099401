"""The review data: where each file comes from, how it is read and split, and its schema.

`bundled/` holds the copy of the review files that ships with the project (CC BY 4.0).
"""
