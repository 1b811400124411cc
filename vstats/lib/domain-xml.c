/*
 * domain-xml.c: the legacy strategy needs device names before it can ask
 * for their counters; the bulk calls report names themselves, but not the
 * bridge an interface is on.  A GMarkup pass is enough: we only want
 * <devices>/<disk|interface>/<target dev> and <interface>/<source bridge>.
 */
#include "domain-xml.h"

#include <string.h>

typedef struct {
    GPtrArray *disks, *nets;
    GHashTable *bridges;  /* interface target -> source bridge, or NULL */
    int depth;
    GPtrArray *current; /* list of the device element we are in, or NULL */
    int device_depth;
    char *net_dev, *net_bridge; /* of the <interface> we are in */
} Parse;

static const char *
attr(const char **names, const char **values, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

static void
on_start(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *element,
         const char **names, const char **values, gpointer data,
         GError **error G_GNUC_UNUSED)
{
    Parse *p = data;

    p->depth++;
    /* <domain><devices><disk>: devices are at depth 3. */
    if (p->depth == 3 && (strcmp(element, "disk") == 0 || strcmp(element, "interface") == 0)) {
        p->current = element[0] == 'd' ? p->disks : p->nets;
        p->device_depth = p->depth;
    } else if (p->current && p->depth == p->device_depth + 1 &&
               strcmp(element, "target") == 0) {
        const char *dev = attr(names, values, "dev");
        if (dev) {
            g_ptr_array_add(p->current, g_strdup(dev));
            if (p->current == p->nets && !p->net_dev)
                p->net_dev = g_strdup(dev);
        }
    } else if (p->current == p->nets && p->depth == p->device_depth + 1 &&
               strcmp(element, "source") == 0 && !p->net_bridge) {
        p->net_bridge = g_strdup(attr(names, values, "bridge"));
    }
}

static void
on_end(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *element G_GNUC_UNUSED,
       gpointer data, GError **error G_GNUC_UNUSED)
{
    Parse *p = data;

    if (p->current && p->depth == p->device_depth) {
        if (p->current == p->nets && p->net_dev && p->bridges)
            g_hash_table_insert(p->bridges, g_steal_pointer(&p->net_dev),
                                g_strdup(p->net_bridge ? p->net_bridge : ""));
        g_clear_pointer(&p->net_dev, g_free);
        g_clear_pointer(&p->net_bridge, g_free);
        p->current = NULL;
    }
    p->depth--;
}

static gboolean
parse(const char *xml, Parse *p)
{
    static const GMarkupParser parser = { on_start, on_end, NULL, NULL, NULL };
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, p, NULL);
    gboolean ok = g_markup_parse_context_parse(ctx, xml, -1, NULL) &&
                  g_markup_parse_context_end_parse(ctx, NULL);

    g_markup_parse_context_free(ctx);
    g_free(p->net_dev);
    g_free(p->net_bridge);
    return ok;
}

gboolean
vstats_domain_xml_devices(const char *xml, GPtrArray *disks, GPtrArray *nets)
{
    Parse p = { .disks = disks, .nets = nets };
    return parse(xml, &p);
}

gboolean
vstats_domain_xml_bridges(const char *xml, GHashTable *bridges)
{
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) nets = g_ptr_array_new_with_free_func(g_free);
    Parse p = { .disks = disks, .nets = nets, .bridges = bridges };
    return parse(xml, &p);
}
