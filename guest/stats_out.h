/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text and Prometheus renderers' writer (guest/stats*.c only): an
 * append-only buffer that remembers overflow and never leaves half a line.
 */
#ifndef AGENT_STATS_OUT_H
#define AGENT_STATS_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t len, pos;
	bool overflow;
};

void emit(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* pos, or -ENOSPC (the buffer then holds only whole lines). */
int finish(struct out *o);
/* A Prometheus label value: backslash, double quote, newline escaped. */
void emit_label(struct out *o, const char *v);
/* # HELP and # TYPE of metric afxdp_<name>. */
void head(struct out *o, const char *name, const char *type,
	  const char *help);

struct stats_report;
struct json_object;
/* A counter into a JSON object (guest/stats.c). */
void add_u64(struct json_object *o, const char *key, uint64_t v);

/* The applications' part of each rendering (guest/stats_apps.c). */
void stats_apps_text(const struct stats_report *r, struct out *o);
/* The "apps" array, or NULL without memory. */
struct json_object *stats_apps_json(const struct stats_report *r);
void stats_apps_prometheus(const struct stats_report *r, struct out *o);

#endif
