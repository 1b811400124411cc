/*
 * test-json-writer.c: the streaming JSON writer produces the exact compact
 * text we expect, and json-glib (an independent parser) reads back the
 * values we wrote.
 */
#include "json-writer.h"
#include "json-util.h"
#include "vstats.h"

#include <float.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

static JsonNode *
parse(const char *text)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) error = NULL;

    json_parser_load_from_data(p, text, -1, &error);
    g_assert_no_error(error);
    return json_node_copy(json_parser_get_root(p));
}

/* Writes @s as the only value and returns the text. */
static char *
write_string(const char *s)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();

    vstats_json_string(w, s);
    return vstats_json_writer_finish(w);
}

static void
test_escaping(void)
{
    static const char *const awkward = "\"\\\n\t\x01";
    g_autofree char *text = write_string(awkward);
    g_autoptr(JsonNode) back = parse(text);

    g_assert_cmpstr(text, ==, "\"\\\"\\\\\\n\\t\\u0001\"\n");
    g_assert_cmpstr(json_node_get_string(back), ==, awkward);
}

static void
test_control_chars(void)
{
    GString *all = g_string_new(NULL);
    g_autofree char *s = NULL;
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) back = NULL;

    for (char c = 1; c < 0x20; c++)
        g_string_append_c(all, c);
    g_string_append_c(all, 0x7f);
    s = g_string_free(all, FALSE);
    text = write_string(s);
    g_assert_cmpstr(text, ==,
                    "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
                    "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013"
                    "\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
                    "\\u001c\\u001d\\u001e\\u001f\\u007f\"\n");
    back = parse(text);
    g_assert_cmpstr(json_node_get_string(back), ==, s);
}

static void
test_utf8(void)
{
    static const char *const text_utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 /";
    g_autofree char *valid = write_string(text_utf8);
    g_autofree char *invalid = write_string("a\xff" "b");
    g_autoptr(JsonNode) back = parse(invalid);

    /* Valid UTF-8 (and '/') goes through untouched. */
    g_assert_cmpstr(valid, ==, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 /\"\n");
    /* An invalid byte becomes U+FFFD, so the line stays readable. */
    g_assert_cmpstr(invalid, ==, "\"a\xef\xbf\xbd" "b\"\n");
    g_assert_cmpstr(json_node_get_string(back), ==, "a\xef\xbf\xbd" "b");
}

static void
test_nesting(void)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) back = NULL;
    JsonObject *o;

    vstats_json_begin_object(w);
    vstats_json_key(w, "a");
    vstats_json_begin_array(w);
    vstats_json_int(w, 1);
    vstats_json_begin_array(w);
    vstats_json_end_array(w);
    vstats_json_begin_object(w);
    vstats_json_end_object(w);
    vstats_json_begin_array(w);
    vstats_json_bool(w, TRUE);
    vstats_json_null(w);
    vstats_json_end_array(w);
    vstats_json_end_array(w);
    vstats_json_key(w, "b");
    vstats_json_begin_object(w);
    vstats_json_member_string(w, "c", "d");
    vstats_json_member_int(w, "e", -5);
    vstats_json_member_bool(w, "f", FALSE);
    vstats_json_end_object(w);
    vstats_json_key(w, "g");
    vstats_json_begin_array(w);
    vstats_json_end_array(w);
    vstats_json_member_string(w, "null", NULL);
    vstats_json_end_object(w);
    text = vstats_json_writer_finish(w);

    g_assert_cmpstr(text, ==,
                    "{\"a\":[1,[],{},[true,null]],\"b\":{\"c\":\"d\",\"e\":-5,\"f\":false},"
                    "\"g\":[],\"null\":null}\n");
    back = parse(text);
    o = json_node_get_object(back);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "a")), ==, 4);
    g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(o, "b"), "e"), ==, -5);
}

static void
test_reuse_after_finish(void)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    vstats_json_begin_array(w);
    vstats_json_int(w, 1);
    vstats_json_end_array(w);
    first = vstats_json_writer_finish(w);
    vstats_json_begin_array(w);
    vstats_json_int(w, 2);
    vstats_json_end_array(w);
    second = vstats_json_writer_finish(w);
    /* No comma carried over from the first document. */
    g_assert_cmpstr(first, ==, "[1]\n");
    g_assert_cmpstr(second, ==, "[2]\n");
}

static void
test_ints(void)
{
    static const gint64 values[] = { 0, 1, -1, 9, 10, -10, 1234567890123, G_MAXINT64, G_MININT64 };
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) back = NULL;
    JsonArray *a;

    vstats_json_begin_array(w);
    for (gsize i = 0; i < G_N_ELEMENTS(values); i++)
        vstats_json_int(w, values[i]);
    vstats_json_end_array(w);
    text = vstats_json_writer_finish(w);

    g_assert_cmpstr(text, ==, "[0,1,-1,9,10,-10,1234567890123,"
                    "9223372036854775807,-9223372036854775808]\n");
    back = parse(text);
    a = json_node_get_array(back);
    for (gsize i = 0; i < G_N_ELEMENTS(values); i++)
        g_assert_cmpint(json_array_get_int_element(a, i), ==, values[i]);
}

/* The text of one double written alone, without the newline. */
static char *
double_text(double v)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();
    char *text;

    vstats_json_double(w, v);
    text = vstats_json_writer_finish(w);
    text[strlen(text) - 1] = '\0';
    return text;
}

static void
check_double_text(double v, const char *expected)
{
    g_autofree char *text = double_text(v);
    g_assert_cmpstr(text, ==, expected);
}

static void
test_doubles(void)
{
    static const double exact[] = {
        0.1, 1.0 / 3, 2.5, -42.75, 123456.789, 1e-7, 1e300, 1e21,
        DBL_MAX, DBL_MIN, 5e-324, 123456789012345678.0, 0.30000000000000004,
    };

    check_double_text(NAN, "null");
    check_double_text(INFINITY, "null");
    check_double_text(-INFINITY, "null");
    /* Short, and still a real number. */
    check_double_text(0.1, "0.1");
    check_double_text(100, "100.0");
    check_double_text(-0.0, "-0.0");
    check_double_text(0, "0.0");
    check_double_text(1e21, "1e+21");
    check_double_text(12.5, "12.5");
    check_double_text(0.30000000000000004, "0.30000000000000004");

    /* Every finite value reads back as exactly the same double. */
    for (gsize i = 0; i < G_N_ELEMENTS(exact); i++) {
        g_autofree char *text = double_text(exact[i]);
        g_autoptr(JsonNode) back = parse(text);

        g_assert_cmpfloat(g_ascii_strtod(text, NULL), ==, exact[i]);
        g_assert_cmpfloat(json_node_get_double(back), ==, exact[i]);
    }
}

static void
test_locale_independent(void)
{
    /* These locales write 2,5; JSON needs 2.5 whatever the environment.
     * Where none is installed the test says it was skipped. */
    static const char *const comma_locales[] = { "de_DE.UTF-8", "fr_FR.UTF-8" };
    g_autofree char *saved = g_strdup(setlocale(LC_NUMERIC, NULL));
    guint tried = 0;

    for (gsize i = 0; i < G_N_ELEMENTS(comma_locales); i++) {
        char buf[16];

        if (!setlocale(LC_NUMERIC, comma_locales[i]))
            continue;
        /* The locale really writes a comma, or it proves nothing. */
        g_snprintf(buf, sizeof(buf), "%.1f", 2.5);
        g_assert_cmpstr(buf, ==, "2,5");
        check_double_text(2.5, "2.5");
        tried++;
    }
    setlocale(LC_NUMERIC, saved);
    if (tried == 0)
        g_test_skip("no comma-decimal locale (de_DE.UTF-8, fr_FR.UTF-8) installed");
}

static void
test_counters(void)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();
    g_autofree char *text = NULL;

    vstats_json_begin_object(w);
    vstats_json_member_counter(w, "known", 42);
    vstats_json_member_counter(w, "zero", 0);
    vstats_json_member_counter(w, "missing", VSTATS_MISSING);
    vstats_json_member_counter(w, "negative", -7);
    vstats_json_member_double(w, "unknown_rate", NAN);
    vstats_json_end_object(w);
    text = vstats_json_writer_finish(w);

    g_assert_cmpstr(text, ==, "{\"known\":42,\"zero\":0,\"missing\":null,"
                    "\"negative\":null,\"unknown_rate\":null}\n");
}

static void
test_misuse(void)
{
    if (g_test_subprocess()) {
        g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();

        vstats_json_begin_object(w);
        vstats_json_end_array(w);
        return;
    }
    /* Closing an object as an array is a programming error, reported. */
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*CRITICAL*");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json-writer/escaping", test_escaping);
    g_test_add_func("/json-writer/control-chars", test_control_chars);
    g_test_add_func("/json-writer/utf8", test_utf8);
    g_test_add_func("/json-writer/nesting", test_nesting);
    g_test_add_func("/json-writer/reuse-after-finish", test_reuse_after_finish);
    g_test_add_func("/json-writer/ints", test_ints);
    g_test_add_func("/json-writer/doubles", test_doubles);
    g_test_add_func("/json-writer/locale-independent", test_locale_independent);
    g_test_add_func("/json-writer/counters", test_counters);
    g_test_add_func("/json-writer/misuse", test_misuse);
    return g_test_run();
}
