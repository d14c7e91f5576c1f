/* ss_table_read: a data file of any format into the column table.  The
 * text reader (table.c) says when a file is not text; ReadStat's reader
 * (readstat_in.c) builds the table through table.c's functions.  This
 * dispatch sits above both, so neither calls the other. */
#include "ss_table.h"

int ss_table_read(ss_table *t, const char *path, const ss_read_options *opt,
                  const ss_request *req, size_t nreq, ss_error *err)
{
    int format;
    int rc = ss_table_read_text(t, path, opt, req, nreq, &format, err);
    if (rc == SS_TABLE_NOT_TEXT)
        rc = ss_readstat_read(t, path, format, opt, req, nreq, err);
    return rc;
}
