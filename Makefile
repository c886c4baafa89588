# Buddy: make run · make test · make translations · make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := app

.PHONY: run test translations extract bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | tail -n 1

extract: $(STAMP)
	$(BIN)/pybabel extract -F pyproject.toml -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location \
		--sort-output --project=Buddy -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

run: translations
	$(BIN)/flask db upgrade
	$(BIN)/flask buddy load-city
	$(BIN)/flask buddy demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: translations
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check buddy tests bench

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'  # OR-Tools peer, gunicorn for bench/web.py
	$(BIN)/python bench/matching.py

clean:
	rm -rf $(VENV) instance test-artifacts translations/*/LC_MESSAGES/*.mo
