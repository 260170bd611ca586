# The two commands of README.md, and the static checks alone.
#   make demo [PORT=8069] [KEEP=1]   KEEP=1 keeps the demo database in .demo/ between runs
PYTHON ?= python3
PORT ?= 8069
DEMO_FLAGS ?=

.PHONY: demo test test-fast check readme
demo:
	$(PYTHON) tools/harness.py demo --port $(PORT) $(if $(KEEP),--keep) $(DEMO_FLAGS)

test:
	$(PYTHON) tools/harness.py test

# the standard tests only: without the seeded 300-case runs (tag iso10002_fuzz) and the demo check
test-fast:
	$(PYTHON) tools/harness.py test --fast

check:
	$(PYTHON) tools/harness.py check

readme:
	$(PYTHON) tools/harness.py readme
