"""The fault audit is tested on small foreign projects built with pytester."""

pytest_plugins = ["pytester"]
