/* csvparse: the floor for survstat's ingest, a bare libcsv parse.
 *
 *   csvparse FILE
 *
 * Reads FILE in 1 MB blocks and hands them to libcsv with the options
 * survstat's ingest uses (strict, report every newline, NUL-terminated
 * fields) and callbacks that do nothing but count, so nothing is converted
 * or stored.  Prints the number of records; `make bench` compares
 * survstat's time on the same file with this one's. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    (void)data;
}

static void on_record(int c, void *data)
{
    (void)c;
    ++*(size_t *)data;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: csvparse FILE\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0)
        return 1;
    enum { BLOCK = 1 << 20 };
    char *buf = malloc(BLOCK);
    if (!buf)
        return 1;
    size_t records = 0, n;
    while ((n = fread(buf, 1, BLOCK, fp)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_record, &records) != n) {
            fprintf(stderr, "csvparse: %s: %s\n", argv[1], csv_strerror(csv_error(&p)));
            return 1;
        }
    if (ferror(fp) || csv_fini(&p, on_field, on_record, &records) != 0) {
        fprintf(stderr, "csvparse: %s: read or parse error\n", argv[1]);
        return 1;
    }
    csv_free(&p);
    free(buf);
    fclose(fp);
    printf("%zu\n", records);
    return 0;
}
