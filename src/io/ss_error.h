/* ss_error: the error record that library code fills and only the command
 * layer prints (as GSL's gsl_errno and libcsv's csv_error).
 *
 * A record names the file and, where there is one, the line (1-based); the
 * message carries the rest ("column 'w': invalid number 'abc'").  Messages
 * are lower case, without a trailing period, with the bad value in quotes. */
#ifndef SS_ERROR_H
#define SS_ERROR_H

#include <stddef.h>

enum {
    SS_OK = 0,
    SS_EDATA = 1,  /* bad data or an analysis that cannot be done: exit 1 */
    SS_EUSAGE = 2, /* bad options or arguments: exit 2 */
};

/* What went wrong, for a caller that recovers from one kind of error or
 * words it its own way (the message is for people, the reason for code):
 * set by the function that makes the error, with its subject. */
typedef enum {
    SS_WHY_NONE = 0,
    SS_WHY_NO_COLUMN,  /* a requested column the file lacks; subject: its name */
    SS_WHY_BAD_NUMBER, /* a cell of a number column that is not a number;
                        * subject: the column */
    SS_WHY_COLLINEAR,  /* a model's columns are collinear */
    SS_WHY_TOO_MANY,   /* a list with more items than allowed */
} ss_error_reason;

typedef struct ss_error {
    int code;           /* SS_EDATA or SS_EUSAGE, SS_OK while unset */
    char file[1024];    /* empty when the error concerns no file */
    long line;          /* 0 when there is no line */
    char message[1024];
    ss_error_reason reason; /* SS_WHY_NONE unless ss_error_tag said */
    char subject[1024];     /* the reason's column or item, or empty */
} ss_error;

void ss_error_clear(ss_error *e);

/* Fill e (if e is not NULL) and return code.  file may be NULL.  The
 * reason is reset to SS_WHY_NONE. */
int ss_error_set(ss_error *e, int code, const char *file, long line,
                 const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Give the error e just set its reason and subject (NULL: none); returns
 * e's code, so that `return ss_error_tag(ss_error_set(...) ...)` reads as
 * one statement: ss_error_tag(e, ss_error_set(e, ...), why, subject). */
int ss_error_tag(ss_error *e, int code, ss_error_reason why, const char *subject);

/* 1 when e is an error of reason why about subject (any subject when
 * subject is NULL). */
int ss_error_is(const ss_error *e, ss_error_reason why, const char *subject);

/* A message that is just "out of memory" gets the size that made it, when
 * an ss_mem_array request failed (ss_mem.h); ss_error_set does this. */
void ss_error_nomem_detail(ss_error *e);

/* Print "survstat CMD: FILE:LINE: MESSAGE" to stderr. */
void ss_error_print(const ss_error *e, const char *cmd);

/* Quote a value for a message: at most max bytes, control bytes shown as
 * \xNN, so a message stays on one line whatever the data holds. */
const char *ss_error_quote(const char *s, size_t len, char *buf, size_t bufsize);

#endif
