# Janus make targets. The two set-up commands are `make demo` and `make test`: each brings a
# fresh machine to a working state by itself (npm ci when node_modules is missing or stale,
# ffmpeg from Debian when absent and running as root).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json
JANUS := node src/cli/bin.js
SAMPLE_SOURCES := $(wildcard src/samples/*.ts) src/config/samples.ts src/media/warp-affine.ts src/media/encode.ts src/media/image.ts

.PHONY: help setup ffmpeg swiftshader redis-server netns-tools redis worker gpu-check gpu-kit test test-unit faults typecheck readme-options wasm-simd demo swap extract train convert status verify reproduce benchmark samples doctor bench bench-quality bench-repro clean

# Every variable a user sets (paths, names, numbers) reaches the shell single-quoted and
# unexpanded: $(call q,$(value X)) quotes X's text as it was typed, so a path with spaces, quotes,
# `...` or $(...) is one argument and runs nothing. unexport keeps make from expanding them to
# put them in the recipes' environment.
q = '$(subst ','\'',$(1))'
USER_VARS := NAME A B DIRECTION PRESET MINUTES ITERATIONS DEMO_MINUTES MANIFEST OUT BACKEND ROWS FULL TAG SEED INIT FILTER QUEUE RESOURCE
# $(call opt,FLAG,VAR): `FLAG 'value'` when VAR is set, else nothing
opt = $(if $(value $(2)),$(1) $(call q,$(value $(2))))

# The swap pipeline's knobs: make swap A=alice.mp4 B=bob.mp4 NAME=alice-bob [DIRECTION=b-to-a PRESET=small MINUTES=60 ITERATIONS=20000]
NAME ?= swap
A ?= samples/a.mp4
B ?= samples/b.mp4
DEMO_MINUTES ?= 9
unexport $(USER_VARS)
SWAP_RUN = $(JANUS) run pipelines/swap.yaml --workdir $(call q,runs/$(value NAME)) --set $(call q,a=$(value A)) --set $(call q,b=$(value B)) \
  $(if $(value DIRECTION),--set $(call q,direction=$(value DIRECTION))) $(if $(value PRESET),--set $(call q,preset=$(value PRESET))) \
  $(if $(value MINUTES),--set $(call q,minutes=$(value MINUTES))) $(if $(value ITERATIONS),--set $(call q,iterations=$(value ITERATIONS))) $(call opt,--queue,QUEUE)
# sample clips named as inputs are built first
SWAP_INPUTS = $(filter samples/a.mp4 samples/b.mp4,$(value A) $(value B))

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

setup: $(NPM_STAMP) ffmpeg ## install node packages (npm ci) and ffmpeg if missing

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# $(call apt_install,PACKAGE): as root with apt-get, install PACKAGE (three tries: another apt
# may hold the lock) and end the recipe (exit 0); otherwise fall through to what follows.
apt_install = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing $(1) (apt-get)"; \
	  for try in 1 2 3; do \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null && exit 0; \
	    echo "apt-get failed (try $$try of 3; another apt may hold the lock)"; sleep 5; \
	  done; \
	  echo "janus: could not install $(1) with apt-get"; \
	fi

ffmpeg: ## make sure ffmpeg and ffprobe are installed (apt-get when root)
	@if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then exit 0; fi; \
	$(call apt_install,ffmpeg); \
	echo "janus: ffmpeg is missing: install it (Debian/Ubuntu: sudo apt-get install -y ffmpeg), or run make as root so it installs it, then rerun"; \
	exit 2

swiftshader: ## a software GPU for the webgpu tests: Debian chromium's SwiftShader Vulkan driver (apt-get when root; the tests say how when missing)
	@if [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then exit 0; fi; \
	$(call apt_install,chromium); \
	echo "janus: no SwiftShader Vulkan driver: the webgpu tests will be skipped (fix: sudo apt-get install -y chromium)"

redis-server: ## make sure redis-server is installed, for the queue tests (apt-get when root; the tests say how when missing)
	@if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then exit 0; fi; \
	$(call apt_install,redis-server); \
	echo "janus: redis-server is missing: the queue tests will be skipped (fix: sudo apt-get install -y redis-server)"

netns-tools: ## openssh-server and sshfs, for the queue test whose worker reaches Redis and the run folder only through its own network namespace (apt-get when root; the test says how when missing)
	@if command -v sshd >/dev/null || [ -x /usr/sbin/sshd ]; then if command -v sshfs >/dev/null && command -v ip >/dev/null; then exit 0; fi; fi; \
	$(call apt_install,openssh-server sshfs iproute2); \
	echo "janus: sshd, sshfs or ip is missing: the network-namespace queue test will be skipped (fix: sudo apt-get install -y openssh-server sshfs iproute2)"

redis: setup ## a local Redis server for the queue: janus redis start (127.0.0.1:6379, append-only, noeviction, in runs/.redis/; janus redis stop ends it)
	$(JANUS) redis start

samples/%.mp4: $(SAMPLE_SOURCES) | setup
	$(JANUS) samples --only $*

samples: setup ## (re)build samples/{a,b,c,d}.mp4 from face-api's photos (deterministic)
	$(JANUS) samples

typecheck: $(NPM_STAMP) ## tsc --noEmit
	npx tsc --noEmit

readme-options: $(NPM_STAMP) ## regenerate README.md's option tables from the schemas in src/config/
	npx tsx src/cli/readme-options.ts --write

wasm-simd: $(NPM_STAMP) ## rebuild src/engine/wasm-simd-binary.ts and src/media/pixel-kernels-binary.ts from their .wat files (wabt, a dev dependency; tests check each pair matches)
	npx tsx src/engine/wasm-simd-build.ts

test: setup swiftshader redis-server netns-tools samples/a.mp4 samples/b.mp4 typecheck ## typecheck, then every test: the unit tier first, then the end-to-end tier two files at a time (webgpu on SwiftShader included); ends with "N passed, N failed" [FILTER=path-part]
	npx tsx test/run.ts --jobs 2 $(if $(value FILTER),$(call q,$(value FILTER)))

test-unit: setup samples/a.mp4 samples/b.mp4 ## the fast unit tier alone (in-process checks of one module each; under 2 minutes) [FILTER=path-part]
	npx tsx test/run.ts --tier unit --jobs 2 $(if $(value FILTER),$(call q,$(value FILTER)))

faults: setup samples/a.mp4 samples/b.mp4 ## the fault suite: SIGKILL at many points then a rerun (byte-identical, nothing redone), and bad inputs (exit 2, a message naming the file and the fix, nothing lost); prints the figures line, then "N passed, N failed"
	npx tsx test/faults/run.ts

demo: setup samples/a.mp4 samples/b.mp4 ## the swap pipeline on the bundled samples (tiny preset, pixel-shuffle decoders, DEMO_MINUTES=9 of training at learning rate 5e-4): runs/demo/output.mp4, report.html
	$(JANUS) run pipelines/swap.yaml --workdir runs/demo --set preset=tiny --set upsample=pixelshuffle --set $(call q,minutes=$(value DEMO_MINUTES)) --set iterations=100000 --set learningRate=5e-4
	@echo "open runs/demo/report.html; the video is runs/demo/output.mp4 (side by side: runs/demo/side-by-side.mp4)"

swap: setup $(SWAP_INPUTS) ## extract, train, swap, composite, metrics, report: A=video B=video NAME=run [DIRECTION= PRESET= MINUTES= ITERATIONS= QUEUE=redis://HOST:PORT/DB for workers to run the stages]
	$(SWAP_RUN)

extract: setup $(SWAP_INPUTS) ## only the swap pipeline's extract stages (same variables as swap)
	$(SWAP_RUN) --until extract-a --until extract-b

train: setup $(SWAP_INPUTS) ## the swap pipeline up to training (same variables as swap)
	$(SWAP_RUN) --until train

convert: setup $(SWAP_INPUTS) ## the swap pipeline up to the swapped video, without metrics and report (same variables as swap)
	$(SWAP_RUN) --until composite

benchmark: setup ## a labelled synthetic benchmark: MANIFEST=videos.yaml|csv OUT=dir [PRESET= ITERATIONS= QUEUE=redis://HOST:PORT/DB] (janus benchmark; resumable)
	@if [ -z $(call q,$(value MANIFEST)) ] || [ -z $(call q,$(value OUT)) ]; then echo "usage: make benchmark MANIFEST=videos.csv OUT=runs/bench [PRESET=tiny ITERATIONS=2000]"; exit 2; fi
	$(JANUS) benchmark $(call q,$(value MANIFEST)) --out $(call q,$(value OUT)) $(call opt,--preset,PRESET) $(call opt,--iterations,ITERATIONS) $(call opt,--queue,QUEUE)

worker: setup ## a queue worker on this machine: runs the stages janus run/benchmark --queue enqueue, until Ctrl-C [QUEUE=redis://HOST:PORT/DB (else JANUS_QUEUE) RESOURCE=gpu|cpu|all] (janus worker)
	$(JANUS) worker $(call opt,--queue,QUEUE) $(call opt,--resource,RESOURCE)

verify: setup ## recompute every stage of runs/NAME (NAME=demo for the demo) and compare its outputs: all identical, or where they differ and why (janus verify)
	$(JANUS) verify $(call q,runs/$(value NAME))

reproduce: setup ## a reproduction kit of runs/NAME in OUT (default runs/NAME.kit): bash OUT/reproduce.sh makes the run again and checks it (janus reproduce)
	$(JANUS) reproduce $(call q,runs/$(value NAME)) --out $(if $(value OUT),$(call q,$(value OUT)),$(call q,runs/$(value NAME).kit))

status: setup ## what is done in runs/NAME (NAME=demo for the demo) and why the rest would run
	$(JANUS) status --workdir $(call q,runs/$(value NAME))

doctor: setup ## show backend, ffmpeg, models and what is missing
	$(JANUS) doctor

BENCH_ENV = $(if $(value BACKEND),JANUS_BACKEND=$(call q,$(value BACKEND)))
bench: setup redis-server samples/a.mp4 samples/b.mp4 ## benchmarks (not tests; BACKEND=webgpu|wasm|... picks the engine, default auto): DAG no-op re-run and per-item overhead; extraction frames/s, recall and landmark error on 720p (ssd, tiny; --detect-every 3 and 25); composite frames/s on 720p (decode, composite, encode at three presets, each beside decode and encode alone); peak RSS of extraction and compositing for a 10-s and a LONG-s 720p clip (LONG=60) and of reading a 10-min video's alignments; training/inference faces/s (tiny, small, original) and the top kernels of a training step; every convolution of the small and original nets timed alone (forward, input and filter gradient, ms and GFLOP/s); benchmark wall time per pair; the queue executor's overhead per item and a mini benchmark on 1 and 2 workers (a Redis started on a free port)
	npx tsx test/bench/dag-bench.ts
	$(BENCH_ENV) npx tsx test/bench/extract-bench.ts
	npx tsx test/bench/composite-bench.ts
	$(BENCH_ENV) npx tsx test/bench/memory-bench.ts $(call opt,--long,LONG)
	$(BENCH_ENV) npx tsx test/bench/train-bench.ts
	$(BENCH_ENV) npx tsx test/bench/conv-kernels-bench.ts
	$(BENCH_ENV) npx tsx test/bench/benchmark-bench.ts
	npx tsx test/bench/queue-bench.ts

bench-quality: setup samples/a.mp4 samples/b.mp4 ## quality benchmark (not a test): trains the sample pair once per recipe (ROWS=old,coverage,...; ITERATIONS=800 or MINUTES=; PRESET=tiny; SEED=; INIT=weights/NAME starts from a pretrained model; FULL=1 also converts A's video) and prints identity share, distance to B, Mask-SSIM, checkerboard, faces/s; curves in runs/bench-quality/
	npx tsx test/bench/quality-bench.ts $(call opt,--rows,ROWS) $(call opt,--iterations,ITERATIONS) $(call opt,--minutes,MINUTES) $(call opt,--preset,PRESET) $(if $(value FULL),--full) $(call opt,--tag,TAG) $(call opt,--seed,SEED) $(call opt,--init,INIT)

bench-repro: setup ## the determinism matrix (not a test): the swap pipeline on 1-s clips with a minutes budget, each stage recomputed by janus verify twice, on 1/2/4 wasm threads and on cpu, and a killed-and-resumed rerun against the uninterrupted one (JANUS_OTHER_FFMPEG=DIR adds another ffmpeg build)
	npx tsx test/bench/repro-bench.ts

gpu-check: ## the WebGPU engine on this machine's GPU: adapter, gradients against cpu, tiny/small/original train and infer faces/s on webgpu beside wasm (needs only the repo and node_modules: no setup, no registry)
	npx tsx test/bench/gpu-check.ts

gpu-kit: setup ## runs/gpu-kit/: the repository and a node_modules pruned to what gpu-check needs, to copy to a GPU machine without a registry
	npx tsx test/bench/gpu-kit.ts

clean: ## remove generated samples and runs/ (keeps weights/)
	rm -rf runs samples/*.mp4 samples/.janus-tmp-*
