// SPDX-License-Identifier: GPL-2.0
/* The renderers' writer (stats_out.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest/stats_out.h"

void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->overflow = true;
		o->buf[o->pos] = '\0';
		return;
	}
	o->pos += (size_t)n;
}

int finish(struct out *o)
{
	if (o->overflow) {
		/* never leave half a line behind */
		char *nl = memrchr(o->buf, '\n', o->pos);

		o->buf[nl ? (size_t)(nl - o->buf) + 1 : 0] = '\0';
		return -ENOSPC;
	}
	return (int)o->pos;
}

void emit_label(struct out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			emit(o, "\\%c", *v);
		else if (*v == '\n')
			emit(o, "\\n");
		else
			emit(o, "%c", *v);
	}
}

void head(struct out *o, const char *name, const char *type, const char *help)
{
	emit(o, "# HELP afxdp_%s %s\n# TYPE afxdp_%s %s\n", name, help, name,
	     type);
}
