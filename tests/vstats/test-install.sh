#!/bin/bash
# test-install.sh BUILDDIR: the library as an agent adopts it.  `meson
# install` into a scratch root, then a program built with nothing but
# `pkg-config vstats` links the installed shared library, runs a
# collection against libvirt's test driver, and finds that the library
# exports the public API and none of the private builders.
set -u
build=$1
root=$(mktemp -d /tmp/vstats-install.XXXXXX)
trap 'rm -rf "$root"' EXIT
failures=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; failures=$((failures + 1)); }

if meson install -C "$build" --no-rebuild --destdir "$root" >"$root.log" 2>&1; then
    ok "meson install"
else
    bad "meson install"; sed 's/^/#   /' "$root.log"; rm -f "$root.log"; exit 1
fi
rm -f "$root.log"
pc=$(find "$root" -name vstats.pc | head -1)
lib=$(find "$root" -name 'libvstats.so.*' -type f | head -1)
header=$(find "$root" -path '*/vstats/vstats.h' | head -1)
[ -n "$pc" ] && ok "vstats.pc installed" || bad "vstats.pc installed"
[ -n "$lib" ] && ok "libvstats.so installed" || bad "libvstats.so installed"
[ -n "$header" ] && ok "vstats/vstats.h installed" || bad "vstats/vstats.h installed"
[ -n "$(find "$root" -name vstats.rules.yml)" ] && ok "the Prometheus rules installed" ||
    bad "the Prometheus rules installed"
[ -n "$pc" ] && [ -n "$lib" ] && [ -n "$header" ] || exit 1

# Exported: the API; not exported: the builders of vstats-private.h.
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
for s in vstats_init vstats_connection_open_full vstats_sampler_collect vstats_report_get_vm \
         vstats_format_json vstats_vm_copy; do
    grep -qx "$s" <<<"$syms" && ok "exports $s" || bad "exports $s"
done
for s in vstats_vm_new vstats_vm_add_block vstats_rates_compute vstats_rate_window_push \
         vstats_error_from_virt vstats_job_start; do
    grep -qx "$s" <<<"$syms" && bad "does not export $s" || ok "does not export $s"
done
[ -z "$(grep -v '^vstats_' <<<"$syms")" ] && ok "exports nothing but vstats_*" ||
    bad "exports nothing but vstats_*: $(grep -v '^vstats_' <<<"$syms" | head -3 | tr '\n' ' ')"

cat > "$root/agent.c" <<'C'
#include <vstats/vstats.h>
#include <stdio.h>

int
main(void)
{
    GError *error = NULL;
    VstatsConnection *conn;
    VstatsSampler *sampler;
    VstatsReport *report;
    int rc;

    /* An agent with its own event loop would pass 0. */
    if (!vstats_init(VSTATS_INIT_ERROR_HANDLER, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    conn = vstats_connection_open_full("test:///default", VSTATS_CONNECT_READ_ONLY, &error);
    if (!conn) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    sampler = vstats_sampler_new(conn, VSTATS_MODE_BULK, 1000);
    report = vstats_sampler_collect(sampler, NULL);
    rc = vstats_report_get_up(report) && vstats_report_get_n_vms(report) == 1 &&
         g_strcmp0(vstats_report_get_vm(report, 0)->name, "test") == 0 ? 0 : 1;
    printf("%u domains, first %s\n", vstats_report_get_n_vms(report),
           vstats_report_get_vm(report, 0)->name);
    vstats_report_unref(report);
    vstats_sampler_free(sampler);
    vstats_connection_free(conn);
    return rc;
}
C
# The installed .pc, its prefix moved under the scratch root.
mkdir -p "$root/pc"
sed "s|^prefix=|prefix=$root|" "$pc" > "$root/pc/vstats.pc"
export PKG_CONFIG_PATH="$root/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs vstats 2>&1) ||
    { bad "pkg-config vstats: $flags"; exit 1; }
# shellcheck disable=SC2086 # flags are words
if cc -o "$root/agent" "$root/agent.c" $flags -Wl,-rpath,"$(dirname "$lib")" 2>"$root/cc.log"; then
    ok "an agent builds with pkg-config vstats alone"
else
    bad "an agent builds with pkg-config vstats alone"; sed 's/^/#   /' "$root/cc.log"; exit 1
fi
# meson test points LD_LIBRARY_PATH at the build tree: not for an agent.
unset LD_LIBRARY_PATH
if out=$(LIBVIRT_DEFAULT_URI=test:///default "$root/agent" 2>"$root/agent.err"); then
    ok "the agent collects through the installed library ($out)"
else
    bad "the agent collects through the installed library: $out"
fi
ldd "$root/agent" | grep -qF "$(dirname "$lib")/libvstats.so" && ok "it uses the installed libvstats.so" ||
    { bad "it uses the installed libvstats.so"; ldd "$root/agent" | sed "s/^/#   /"; }
[ "$failures" -eq 0 ]
