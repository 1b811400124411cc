/*
 * boot-template.h: the domain XML of each VM of a boot storm: a user
 * template with @NAME@, @UUID@ and @INDEX@ placeholders, or a built-in one
 * like tools/testhost's domains, with the small boot images they need.
 */
#pragma once
#include <glib.h>

/* Reads a template file; an empty file is an error. */
char *vstats_boot_template_load(const char *path, GError **error);

/* @template with every @NAME@, @UUID@ and @INDEX@ replaced (@name is
 * XML-escaped). */
char *vstats_boot_template_expand(const char *template_xml, const char *name,
                                  const char *uuid, guint index);

/* The built-in template: 32 MiB, 1 vCPU, KVM if @use_kvm else TCG, a
 * virtio disk on @image_dir/@NAME@.img, a NIC, a virtio balloon. */
char *vstats_boot_template_testhost(const char *image_dir, gboolean use_kvm);

/* Whether this process could run a KVM guest: /dev/kvm opens read-write
 * and will create a VM. */
gboolean vstats_kvm_usable(void);

/* Writes a sparse 1 MiB raw image at @path whose boot sector halts the
 * CPU, so a guest boots and then sits idle. */
gboolean vstats_boot_image_write(const char *path, GError **error);
