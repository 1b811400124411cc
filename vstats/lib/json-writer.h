/*
 * json-writer.h: a streaming writer of compact JSON text.  Values go
 * straight into one growing buffer: no tree is built, so a report costs
 * about as much as printing it.
 *
 * The caller emits well-nested calls (a key before each value inside an
 * object); commas are placed by the writer.
 */
#pragma once
#include <glib.h>

typedef struct _VstatsJsonWriter VstatsJsonWriter;

VstatsJsonWriter *vstats_json_writer_new(void);
void vstats_json_writer_free(VstatsJsonWriter *w);
/* The text written so far, newline-terminated; the writer is left empty. */
char *vstats_json_writer_finish(VstatsJsonWriter *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsJsonWriter, vstats_json_writer_free)

void vstats_json_begin_object(VstatsJsonWriter *w);
void vstats_json_end_object(VstatsJsonWriter *w);
void vstats_json_begin_array(VstatsJsonWriter *w);
void vstats_json_end_array(VstatsJsonWriter *w);
/* The name of the next member of the current object. */
void vstats_json_key(VstatsJsonWriter *w, const char *key);

/* UTF-8 text; NULL is written as null, invalid bytes as U+FFFD. */
void vstats_json_string(VstatsJsonWriter *w, const char *s);
void vstats_json_int(VstatsJsonWriter *w, gint64 v);
/* Shortest text that reads back as @v; NaN and infinities (no JSON
 * spelling) are null. */
void vstats_json_double(VstatsJsonWriter *w, double v);
void vstats_json_bool(VstatsJsonWriter *w, gboolean v);
void vstats_json_null(VstatsJsonWriter *w);

/* Key and value in one call, for the common case of an object member. */
void vstats_json_member_string(VstatsJsonWriter *w, const char *key, const char *s);
void vstats_json_member_int(VstatsJsonWriter *w, const char *key, gint64 v);
void vstats_json_member_double(VstatsJsonWriter *w, const char *key, double v);
void vstats_json_member_bool(VstatsJsonWriter *w, const char *key, gboolean v);
