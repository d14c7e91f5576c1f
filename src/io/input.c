/* ss_table_read: a data file of any format into the column table.  The
 * text reader (table.c) says when a file is not text; ReadStat's reader
 * (readstat_in.c) builds the table through table.c's functions.  This
 * dispatch sits above both, so neither calls the other.
 *
 * SS_NEED_AUTO (a model's term: numbers, or a factor when the column holds
 * text) is resolved here, before either reader sees the requests.  A
 * column read as a category costs a hash of every distinct text and a
 * canonical text per level (a million distinct incomes: most of the
 * read); read as numbers it costs their parsing alone.  So a CSV file
 * that can be read again (a regular file, not standard input or a pipe)
 * is read with such columns as numbers first: a cell that is neither a
 * number nor missing stops the read at once (SS_WHY_BAD_NUMBER, naming the
 * column), and the file is read again with that column as a category.  A
 * text column stops the first read at its first row, so a file whose
 * text columns hold text from the start is read once, plus a line per
 * text column.  The table is the one a read with those columns as
 * categories would give wherever the column is a category, and its
 * numbers are the same doubles (the level's value of a category). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ss_table.h"

/* Request k of req, an SS_NEED_AUTO one: whether another request of its
 * column wants a category (then it is one at once). */
static int wants_category(const ss_request *req, size_t nreq, size_t k)
{
    for (size_t j = 0; j < nreq; j++)
        if (j != k && strcmp(req[j].name, req[k].name) == 0 && (req[j].need & SS_NEED_CATEGORY))
            return 1;
    return 0;
}

/* The file can be read twice, as text: a regular file of some size, and
 * no --labels (a labelled column of numbers is a factor). */
static int can_read_again(const char *path, const ss_read_options *opt)
{
    struct stat sb;
    return strcmp(path, "-") != 0 && !opt->labels && !opt->all_columns && !opt->keep_text &&
           stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
}

int ss_table_read(ss_table *t, const char *path, const ss_read_options *opt,
                  const ss_request *req, size_t nreq, ss_error *err)
{
    const ss_request *asked = req;
    ss_request *own = NULL;
    int again = 0; /* AUTO columns read as numbers first */
    for (size_t k = 0; k < nreq; k++) {
        if (!(asked[k].need & (SS_NEED_AUTO | SS_NEED_PRESENT)))
            continue;
        if (!own) {
            own = malloc(nreq * sizeof *own);
            if (!own) {
                memset(t, 0, sizeof *t);
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            }
            memcpy(own, asked, nreq * sizeof *own);
            again = can_read_again(path, opt);
        }
        if (!(asked[k].need & SS_NEED_AUTO))
            continue;
        int number = again && !wants_category(asked, nreq, k);
        own[k].need = (asked[k].need & ~(unsigned)SS_NEED_AUTO) |
                      (number ? SS_NEED_PACKED : SS_NEED_CATEGORY);
    }
    if (own)
        req = own;
    int format, rc;
    for (;;) {
        rc = ss_table_read_text(t, path, opt, req, nreq, &format, err);
        if (rc == SS_TABLE_NOT_TEXT) {
            /* a statistical package's file: its labels decide what a
             * column is, so AUTO columns are categories there, and so are
             * PRESENT ones (ReadStat's reader keeps codes or numbers) */
            for (size_t k = 0; k < nreq && own; k++)
                if (asked[k].need & (SS_NEED_AUTO | SS_NEED_PRESENT))
                    own[k].need = (asked[k].need & ~(unsigned)(SS_NEED_AUTO | SS_NEED_PRESENT)) |
                                  SS_NEED_CATEGORY;
            rc = ss_readstat_read(t, path, format, opt, req, nreq, err);
            break;
        }
        if (rc != SS_EDATA || !again)
            break;
        /* a column read as numbers first holds text: again, with it (and
         * every request of it) as a category */
        int switched = 0;
        for (size_t k = 0; k < nreq; k++)
            if ((asked[k].need & SS_NEED_AUTO) && (own[k].need & SS_NEED_PACKED) &&
                ss_error_is(err, SS_WHY_BAD_NUMBER, own[k].name)) {
                own[k].need = (own[k].need & ~(unsigned)SS_NEED_PACKED) | SS_NEED_CATEGORY;
                switched = 1;
            }
        if (!switched)
            break;
        ss_table_free(t);
        ss_error_clear(err);
    }
    free(own);
    return rc;
}
