/* SPDX-License-Identifier: GPL-2.0 */
/* XPath checks on generated XML, shared by the host unit tests: parse the
 * text with libxml2 and compare one expression's string value. */
#ifndef AFXDP_TESTS_XML_ASSERT_H
#define AFXDP_TESTS_XML_ASSERT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

/* @expr (string() or count()) evaluated on @xml; caller frees. */
static inline char *xp(const char *xml, const char *expr)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL,
				      XML_PARSE_NONET);
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res;
	xmlChar *str;
	char *out;

	assert_non_null(doc);
	ctx = xmlXPathNewContext(doc);
	res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	assert_non_null(res);
	str = xmlXPathCastToString(res); /* also count() numbers */
	out = strdup((const char *)str);
	xmlFree(str);
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

static inline void assert_xp(const char *xml, const char *expr,
			     const char *want)
{
	char *got = xp(xml, expr);

	if (strcmp(got, want))
		print_error("%s: got '%s', want '%s' in\n%s\n", expr, got, want,
			    xml);
	assert_string_equal(got, want);
	free(got);
}

#endif
