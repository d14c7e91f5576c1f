#include "ss_error.h"

#include "ss_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ss_error_clear(ss_error *e)
{
    if (!e)
        return;
    e->code = SS_OK;
    e->file[0] = '\0';
    e->line = 0;
    e->message[0] = '\0';
    e->reason = SS_WHY_NONE;
    e->subject[0] = '\0';
}

int ss_error_tag(ss_error *e, int code, ss_error_reason why, const char *subject)
{
    if (!e)
        return code;
    e->reason = why;
    snprintf(e->subject, sizeof e->subject, "%s", subject ? subject : "");
    return code;
}

int ss_error_is(const ss_error *e, ss_error_reason why, const char *subject)
{
    return e && e->code != SS_OK && e->reason == why &&
           (!subject || strcmp(e->subject, subject) == 0);
}

int ss_error_set(ss_error *e, int code, const char *file, long line,
                 const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    ss_error_nomem_detail(e);
    e->reason = SS_WHY_NONE;
    e->subject[0] = '\0';
    return code;
}

void ss_error_nomem_detail(ss_error *e)
{
    if (strcmp(e->message, "out of memory") == 0) {
        const char *why = ss_mem_failure();
        snprintf(e->message + 13, sizeof e->message - 13, "%s", why);
    }
}

void ss_error_print(const ss_error *e, const char *cmd)
{
    fprintf(stderr, "survstat");
    if (cmd && *cmd)
        fprintf(stderr, " %s", cmd);
    fputs(": ", stderr);
    if (e->file[0]) {
        fputs(e->file, stderr);
        if (e->line > 0)
            fprintf(stderr, ":%ld", e->line);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", e->message[0] ? e->message : "unknown error");
}

const char *ss_error_quote(const char *s, size_t len, char *buf, size_t bufsize)
{
    const size_t max = bufsize > 8 ? bufsize - 8 : 0;
    size_t o = 0, i = 0;
    for (; i < len && o < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, bufsize - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    if (i < len && o + 3 < bufsize) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o < bufsize ? o : bufsize - 1] = '\0';
    return buf;
}
