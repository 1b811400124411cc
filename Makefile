# libvirt-scale: thin entry points; the work is done by the scripts in tools/.
#
#   make demo     build what is missing, show the series and vstats at work
#   make check    install, build, run every test (libvirt's and ours)
#   make bench    run every benchmark, write docs/performance.md and the
#                 pages and plots it links to (docs/boot-storm.md, docs/img)
#
# Other targets: deps libvirt stock vstats series-check export host-down
#   boot-storm contention (parts of make bench on their own)
#   sanitize (vstats under ASan+UBSan and valgrind)
#   sanitize-libvirt (the patched libvirt under ASan+UBSan: integration tests)

SHELL := /bin/bash
.DEFAULT_GOAL := help

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'

deps:
	tools/deps

libvirt: deps
	tools/libvirt-tree build

stock: deps
	tools/libvirt-tree stock

vstats: libvirt
	tools/build-vstats

series-check: deps
	tools/libvirt-tree check-series

export:
	tools/libvirt-tree export

demo: libvirt stock vstats
	tools/demo

check:
	tests/run-all

bench: libvirt stock vstats
	tools/bench

boot-storm: libvirt stock vstats
	tools/bench-boot-storm

contention: libvirt stock vstats
	tools/bench-contention

sanitize: libvirt
	tools/sanitize-vstats

sanitize-libvirt: libvirt vstats
	tools/sanitize-libvirt

host-down:
	tools/testhost down

.PHONY: help deps libvirt stock vstats series-check export demo check bench boot-storm contention host-down sanitize sanitize-libvirt
