# The two commands of README.md, and the static checks alone.
PYTHON ?= python3

.PHONY: demo test check
demo:
	$(PYTHON) tools/harness.py demo

test:
	$(PYTHON) tools/harness.py test

check:
	$(PYTHON) tools/harness.py check
