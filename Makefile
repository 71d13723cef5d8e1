# Janus make targets. The two set-up commands are `make demo` and `make test`: each brings a
# fresh machine to a working state by itself (npm ci when node_modules is missing or stale,
# ffmpeg from Debian when absent and running as root).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json
JANUS := node src/cli/bin.js
SAMPLE_SOURCES := $(wildcard src/samples/*.ts) src/config/samples.ts src/media/warp-affine.ts src/media/encode.ts src/media/image.ts

.PHONY: help setup ffmpeg test typecheck demo samples doctor bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

setup: $(NPM_STAMP) ffmpeg ## install node packages (npm ci) and ffmpeg if missing

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

ffmpeg: ## make sure ffmpeg and ffprobe are installed (apt-get when root)
	@if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing ffmpeg (apt-get)"; \
	  for try in 1 2 3; do \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null && exit 0; \
	    echo "apt-get failed (try $$try of 3; another apt may hold the lock)"; sleep 5; \
	  done; \
	  echo "janus: could not install ffmpeg with apt-get: install it by hand (apt-get install -y ffmpeg), then rerun"; exit 2; \
	else \
	  echo "janus: ffmpeg is missing: install it (Debian/Ubuntu: sudo apt-get install -y ffmpeg), or run make as root so it installs it, then rerun"; \
	  exit 2; \
	fi

samples/%.mp4: $(SAMPLE_SOURCES) | setup
	$(JANUS) samples --only $*

samples: setup ## (re)build samples/a.mp4 and samples/b.mp4 from face-api's photos (deterministic)
	$(JANUS) samples

typecheck: $(NPM_STAMP) ## tsc --noEmit
	npx tsc --noEmit

test: setup samples/a.mp4 samples/b.mp4 typecheck ## typecheck, then run every test (ends with "N passed, N failed")
	npx tsx test/run.ts $(FILTER)

demo: setup samples/a.mp4 samples/b.mp4 ## build the samples and print janus doctor (the swap pipeline lands with issue 6)
	$(JANUS) doctor

doctor: setup ## show backend, ffmpeg, models and what is missing
	$(JANUS) doctor

bench: setup ## benchmarks (not tests): DAG no-op re-run and per-item overhead; extraction frames/s on 720p (ssd, tiny); training/inference faces/s (tiny, original)
	npx tsx test/bench/dag-bench.ts
	npx tsx test/bench/extract-bench.ts
	npx tsx test/bench/train-bench.ts

clean: ## remove generated samples and runs/ (keeps weights/)
	rm -rf runs samples/*.mp4 samples/.janus-tmp-*
