/*
 * boot-template.c: per-VM domain XML for boot storms, and the images the
 * built-in template boots from.
 */
#include "boot-template.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#define BOOT_IMAGE_SIZE (1024 * 1024)

char *
vstats_boot_template_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, error))
        return NULL;
    if (!*g_strstrip(text)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "template %s is empty", path);
        return NULL;
    }
    return g_steal_pointer(&text);
}

char *
vstats_boot_template_expand(const char *template_xml, const char *name,
                            const char *uuid, guint index)
{
    g_autofree char *escaped = g_markup_escape_text(name, -1);
    g_autofree char *index_text = g_strdup_printf("%u", index);
    GString *out = g_string_new(template_xml);

    g_string_replace(out, "@NAME@", escaped, 0);
    g_string_replace(out, "@UUID@", uuid, 0);
    g_string_replace(out, "@INDEX@", index_text, 0);
    return g_string_free(out, FALSE);
}

char *
vstats_boot_template_testhost(const char *image_dir, gboolean use_kvm)
{
    g_autofree char *dir = g_markup_escape_text(image_dir, -1);
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *emulator = NULL;

    /* Without one in PATH, libvirt picks its default emulator. */
    if (qemu) {
        g_autofree char *escaped = g_markup_escape_text(qemu, -1);
        emulator = g_strdup_printf("    <emulator>%s</emulator>\n", escaped);
    }
    return g_strdup_printf(
        "<domain type='%s'>\n"
        "  <name>@NAME@</name>\n"
        "  <uuid>@UUID@</uuid>\n"
        "  <memory unit='MiB'>32</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\n"
        "  <clock offset='utc'/>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <devices>\n"
        "%s"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        "      <source file='%s/@NAME@.img'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "    </disk>\n"
        "    <interface type='ethernet'>\n"
        "      <model type='virtio'/>\n"
        "    </interface>\n"
        "    <memballoon model='virtio'/>\n"
        "    <video><model type='none'/></video>\n"
        "  </devices>\n"
        "</domain>\n",
        use_kvm ? "kvm" : "qemu", emulator ? emulator : "", dir);
}

gboolean
vstats_kvm_usable(void)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    gboolean usable = FALSE;

    if (kvm < 0)
        return FALSE;
    /* An openable /dev/kvm can still refuse VMs (nested, containers). */
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION) {
        int vm = ioctl(kvm, KVM_CREATE_VM, 0);
        if (vm >= 0) {
            usable = TRUE;
            close(vm);
        }
    }
    close(kvm);
    return usable;
}

gboolean
vstats_boot_image_write(const char *path, GError **error)
{
    /* cli; hlt; jmp back to hlt: the CPU halts with interrupts off. */
    static const unsigned char code[] = { 0xfa, 0xf4, 0xeb, 0xfd };
    unsigned char sector[512] = { 0 };
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    int fd;
    gboolean ok;

    memcpy(sector, code, sizeof(code));
    sector[510] = 0x55;   /* boot signature */
    sector[511] = 0xaa;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int err = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot create %s: %s", tmp, g_strerror(err));
        return FALSE;
    }
    /* The rest stays a hole: a 1 MiB image costs one block. */
    ok = write(fd, sector, sizeof(sector)) == (ssize_t) sizeof(sector) &&
         ftruncate(fd, BOOT_IMAGE_SIZE) == 0;
    if (!ok) {
        int err = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot write %s: %s", tmp, g_strerror(err));
    }
    if (close(fd) != 0 && ok) {
        int err = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot write %s: %s", tmp, g_strerror(err));
        ok = FALSE;
    }
    /* Renamed into place so a half-written image is never booted. */
    if (ok && rename(tmp, path) != 0) {
        int err = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot rename %s: %s", tmp, g_strerror(err));
        ok = FALSE;
    }
    if (!ok)
        unlink(tmp);
    return ok;
}
