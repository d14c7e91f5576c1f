/* Unit tests (cmocka): typed columns of the CSV ingest.
 *
 * A column read with ss_column_num (SS_NEED_PACKED) is kept in the
 * narrowest storage its values fit and widened in place when one does not
 * (ss_table.h).  Every test writes a file, reads column y both typed and
 * as plain doubles (SS_NEED_NUMBER), with one thread and with two, and
 * checks the storage the typed column ends in and that every row's value
 * is the double the parser gives, to the bit, with the same missing count.
 * The files have fixed-width lines, so the row at which the second thread
 * starts is known (split_row) and a widening can be put in either half, on
 * either side of the split, or at the growth of the arrays. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ss_number.h"
#include "ss_table.h"

enum { LINE = 32, CHUNK_BYTES = 1 << 20, BIG = 200000, LAST = -1 };

static const char *const HEADER = "id,y,pad\n";

/* The file of a test: n rows whose y is base(row), but for the rows of
 * set[] (row, text), and pad_long rows from the start with lines of
 * 4 * LINE bytes (else LINE); blank_at > 0 puts a blank line before that
 * row. */
typedef struct cellset {
    size_t row;
    const char *text;
} cellset;

static char path[64];

static const char *base_small(size_t row, char *buf)
{
    if (row % 53 == 7)
        return row % 2 ? "" : "NA";
    snprintf(buf, 32, "%zu", row % 7);
    return buf;
}

static void make_csv(size_t n, const char *(*base)(size_t, char *), const cellset *set,
                     size_t nset, size_t pad_long, size_t blank_at)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(HEADER, fp);
    char buf[64], line[256];
    static const char xs[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    for (size_t k = 0; k < n; k++) {
        const char *y = base(k, buf);
        for (size_t j = 0; j < nset; j++)
            if (set[j].row == k)
                y = set[j].text;
        if (blank_at && k == blank_at)
            fputs("\n", fp);
        int len = snprintf(line, sizeof line, "%zu,%s,", k, y);
        int width = k < pad_long ? 4 * LINE : LINE;
        assert_true(len < width);
        fprintf(fp, "%s%.*s\n", line, width - 1 - len, xs);
    }
    assert_int_equal(fclose(fp), 0);
}

/* The first row of the second thread's half in a file of n rows of LINE
 * bytes (table.c: the first newline at or after the middle of what is
 * left after the header and the first chunk). */
static size_t split_row(size_t n)
{
    size_t h = strlen(HEADER), size = h + n * LINE, from = CHUNK_BYTES;
    size_t mid = from + (size - from) / 2;
    return (mid - h) / LINE + 1;
}

static int same_double(double u, double v)
{
    return memcmp(&u, &v, sizeof u) == 0 || (isnan(u) && isnan(v));
}

static int read_y(ss_table *t, unsigned need, const char *const *na, size_t nna, ss_error *err)
{
    ss_read_options o = {0};
    o.delimiter = ',';
    o.na = na;
    o.nna = nna;
    ss_request req[] = {{"y", need}};
    ss_error_clear(err);
    return ss_table_read(t, path, &o, req, 1, err);
}

/* y typed ends in storage want (both thread counts) with the values and
 * missing count of y read as doubles. */
static void check_na(int want, const char *const *na, size_t nna)
{
    static const char *const threads[] = {"1", "2"};
    for (size_t k = 0; k < 2; k++) {
        setenv("SURVSTAT_THREADS", threads[k], 1);
        ss_table a, b;
        ss_error ea, eb;
        assert_int_equal(read_y(&a, SS_NEED_PACKED, na, nna, &ea), SS_OK);
        assert_int_equal(read_y(&b, SS_NEED_NUMBER, na, nna, &eb), SS_OK);
        const ss_column *ca = ss_table_find(&a, "y"), *cb = ss_table_find(&b, "y");
        assert_int_equal(a.nrow, b.nrow);
        if (ca->store != want)
            fail_msg("threads %s: storage %d, want %d", threads[k], ca->store, want);
        assert_int_equal(cb->store, SS_STORE_DOUBLE);
        assert_int_equal(ca->nmissing, cb->nmissing);
        for (size_t i = 0; i < a.nrow; i++)
            if (!same_double(ss_column_num(ca, i), cb->num[i]))
                fail_msg("threads %s: row %zu: %.17g, want %.17g", threads[k], i,
                         ss_column_num(ca, i), cb->num[i]);
        ss_table_free(&a);
        ss_table_free(&b);
    }
    unsetenv("SURVSTAT_THREADS");
}

static void check(int want)
{
    check_na(want, NULL, 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/survstat_test_table_%ld.csv", (long)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(path);
    return 0;
}

/* One value of each kind after small codes, at the first row, past the
 * arrays' first 4,096 rows and at the last row; missing cells around. */
static void test_widen_one_thread(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int store;
    } to[] = {
        {"254", SS_STORE_U8},          {"255", SS_STORE_U16},
        {"65534", SS_STORE_U16},       {"65535", SS_STORE_I32},
        {"1.5", SS_STORE_PACKED},      {"-3", SS_STORE_PACKED},
        {"8191", SS_STORE_U16},        {"-8191.5", SS_STORE_DOUBLE},
        {"0.125", SS_STORE_PACKED},    {"0.1250", SS_STORE_PACKED},
        {"70000", SS_STORE_I32},       {"-70000", SS_STORE_I32},
        {"2147483647", SS_STORE_I32},  {"2147483648", SS_STORE_DOUBLE},
        {"-2147483648", SS_STORE_DOUBLE}, {"98.428", SS_STORE_DOUBLE},
        {"1033.72413793", SS_STORE_DOUBLE}, {"-0", SS_STORE_DOUBLE},
        {"-0.0", SS_STORE_DOUBLE},     {"1e300", SS_STORE_DOUBLE},
        {"1e1", SS_STORE_U8},          {"+3", SS_STORE_U8},
        {"007", SS_STORE_U8},          {"3.000", SS_STORE_U8},
        {" 12 ", SS_STORE_U8},         {"12.", SS_STORE_U8},
        {".5", SS_STORE_PACKED},       {"5e-1", SS_STORE_PACKED},
        {"1234567890123", SS_STORE_DOUBLE},
    };
    static const size_t at[] = {0, 4095, 4096, 4097, 9999};
    for (size_t j = 0; j < sizeof to / sizeof *to; j++)
        for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
            cellset set[] = {{at[k], to[j].text}};
            make_csv(10000, base_small, set, 1, 0, 0);
            check(to[j].store);
        }
}

/* Widenings one after another: each storage to each wider one, with the
 * rows read so far converted (missing cells among them). */
static void test_widen_chains(void **state)
{
    (void)state;
    static const struct {
        cellset set[3];
        int store;
    } chain[] = {
        {{{10, "300"}, {5000, "1.5"}, {0, NULL}}, SS_STORE_PACKED},   /* u16 -> packed */
        {{{10, "9000"}, {5000, "1.5"}, {0, NULL}}, SS_STORE_DOUBLE},  /* u16 -> double */
        {{{10, "300"}, {5000, "70000"}, {0, NULL}}, SS_STORE_I32},    /* u16 -> i32 */
        {{{10, "300"}, {5000, "-1"}, {0, NULL}}, SS_STORE_PACKED},    /* u16 -> packed */
        {{{10, "9000"}, {5000, "-1"}, {0, NULL}}, SS_STORE_I32},      /* u16 -> i32 */
        {{{10, "-3"}, {5000, "9000"}, {0, NULL}}, SS_STORE_I32},      /* packed -> i32 */
        {{{10, "0.5"}, {5000, "9000"}, {0, NULL}}, SS_STORE_DOUBLE},  /* packed -> double */
        {{{10, "-3"}, {5000, "300"}, {0, NULL}}, SS_STORE_PACKED},    /* stays packed */
        {{{10, "0.5"}, {5000, "-0"}, {0, NULL}}, SS_STORE_DOUBLE},    /* packed -> double */
        {{{10, "70000"}, {5000, "1.5"}, {0, NULL}}, SS_STORE_DOUBLE}, /* i32 -> double */
        {{{10, "70000"}, {5000, "5e9"}, {0, NULL}}, SS_STORE_DOUBLE}, /* i32 -> double */
        {{{10, "300"}, {4096, "1.5"}, {9000, "70000"}}, SS_STORE_DOUBLE},
        {{{0, "300"}, {1, "-2"}, {2, "70000"}}, SS_STORE_I32},
        {{{10, "98.428"}, {5000, "3"}, {0, NULL}}, SS_STORE_DOUBLE},
    };
    for (size_t j = 0; j < sizeof chain / sizeof *chain; j++) {
        size_t n = 0;
        while (n < 3 && chain[j].set[n].text)
            n++;
        make_csv(10000, base_small, chain[j].set, n, 0, 0);
        check(chain[j].store);
    }
}

/* Two threads: a widening in one half only, at the split, in both halves
 * to different storages (joined in the first that holds both), with the
 * second half moved down (a blank line in the first), and when the second
 * half overflows and the main thread reads it again. */
static void test_widen_two_threads(void **state)
{
    (void)state;
    const size_t s = split_row(BIG);
    static const struct {
        long first, second; /* rows relative to the split (first < 0) */
        const char *a, *b;
        int store;
    } tw[] = {
        {-1000, 0, NULL, "1.5", SS_STORE_PACKED},
        {0, 10, NULL, "1.5", SS_STORE_PACKED},
        {-1, 0, NULL, "1.5", SS_STORE_PACKED},
        {-1, 0, "1.5", NULL, SS_STORE_PACKED},
        {-5000, 5000, "300", "1.5", SS_STORE_PACKED},
        {-5000, 5000, "9000", "1.5", SS_STORE_DOUBLE},
        {-5000, 5000, "1.5", "9000", SS_STORE_DOUBLE},
        {-5000, 5000, "-3", "70000", SS_STORE_I32},
        {-5000, 5000, "70000", "-3", SS_STORE_I32},
        {-5000, 5000, "98.428", NULL, SS_STORE_DOUBLE},
        {-5000, 5000, NULL, "98.428", SS_STORE_DOUBLE},
        {-5000, 5000, "1.5", "2.5", SS_STORE_PACKED},
        {-5000, 5000, "300", "70000", SS_STORE_I32},
        {-5000, LAST, "300", "-0", SS_STORE_DOUBLE},
    };
    for (int blank = 0; blank < 2; blank++)
        for (size_t j = 0; j < sizeof tw / sizeof *tw; j++) {
            cellset set[2];
            size_t n = 0;
            if (tw[j].a)
                set[n++] = (cellset){s + tw[j].first, tw[j].a};
            if (tw[j].b)
                set[n++] = (cellset){tw[j].second == LAST ? BIG - 1 : s + tw[j].second, tw[j].b};
            make_csv(BIG, base_small, set, n, 0, blank ? 40000 : 0);
            check(tw[j].store);
        }
    /* Long lines first: the second half holds more rows than it has room
     * for, and the main thread reads it again, over its widened arrays. */
    cellset over[] = {{70000, "1.5"}, {190000, "70000"}};
    make_csv(BIG, base_small, over, 2, 60000, 0);
    check(SS_STORE_DOUBLE);
    make_csv(BIG, base_small, over, 1, 60000, 0);
    check(SS_STORE_PACKED);
}

/* Missing cells: empty, NA and the --na codes, which are missing whatever
 * their spelling as numbers ("9", "9.0", "09"), in every storage. */
static void test_missing(void **state)
{
    (void)state;
    static const char *const na[] = {"9", "-1.5"};
    static const struct {
        const char *wide;
        int store;
    } st[] = {{NULL, SS_STORE_U8},
              {"300", SS_STORE_U16},
              {"0.5", SS_STORE_PACKED},
              {"70000", SS_STORE_I32},
              {"98.428", SS_STORE_DOUBLE}};
    for (size_t j = 0; j < sizeof st / sizeof *st; j++) {
        cellset set[] = {{20, "9"}, {21, "9.0"}, {22, "09"}, {23, "-1.5"}, {24, "-1.50"},
                         {25, "NA"}, {26, ""}, {3000, st[j].wide ? st[j].wide : "4"}};
        make_csv(5000, base_small, set, 8, 0, 0);
        check_na(st[j].store, na, 2);
        ss_table t;
        ss_error err;
        assert_int_equal(read_y(&t, SS_NEED_PACKED, na, 2, &err), SS_OK);
        const ss_column *c = ss_table_find(&t, "y");
        for (size_t i = 20; i <= 26; i++)
            assert_true(isnan(ss_column_num(c, i)));
        ss_table_free(&t);
    }
    /* A column of missing cells alone stays in one byte a cell. */
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("id,y,pad\n0,,x\n1,NA,x\n2,,x\n", fp);
    assert_int_equal(fclose(fp), 0);
    check(SS_STORE_U8);
}

/* A cell that is not a number is the same error, on the same line,
 * whatever the storage the column is in when it comes. */
static void test_bad_number(void **state)
{
    (void)state;
    static const char *const before[] = {"4", "300", "0.5", "70000", "98.428"};
    for (size_t j = 0; j < sizeof before / sizeof *before; j++) {
        for (int k = 0; k < 2; k++) { /* in the first half, in the second */
            cellset set[] = {{100, before[j]}, {k ? split_row(BIG) + 7 : 7000, "1.2.3"}};
            make_csv(BIG, base_small, set, 2, 0, 0);
            ss_table a, b;
            ss_error ea, eb;
            assert_int_equal(read_y(&a, SS_NEED_PACKED, NULL, 0, &ea), SS_EDATA);
            assert_int_equal(read_y(&b, SS_NEED_NUMBER, NULL, 0, &eb), SS_EDATA);
            assert_int_equal(ea.line, eb.line);
            assert_int_equal(ea.line, (long)set[1].row + 2);
            assert_string_equal(ea.message, eb.message);
            ss_table_free(&a);
            ss_table_free(&b);
        }
    }
}

/* Every packed code's value (the table the decoders read, filled in two
 * halves, m >= 0 and the rest negated) is the double the parser gives for
 * m / 10^k, to the bit. */
static void test_packed_values(void **state)
{
    (void)state;
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("id,y,pad\n0,-819.1,x\n1,0.001,x\n", fp);
    assert_int_equal(fclose(fp), 0);
    ss_table t;
    ss_error e;
    assert_int_equal(read_y(&t, SS_NEED_PACKED, NULL, 0, &e), SS_OK);
    const ss_column *c = ss_table_find(&t, "y");
    assert_int_equal(c->store, SS_STORE_PACKED);
    assert_true(ss_column_num(c, 0) == -819.1 && ss_column_num(c, 1) == 0.001);
    ss_table_free(&t);
    for (unsigned u = 0; u < 65536; u++) {
        int p = (int16_t)(uint16_t)u;
        if (p == SS_PACKED_NA) {
            assert_true(isnan(ss_packed_value[u]));
            continue;
        }
        int k = p & 3, m = (p - k) / 4;
        double want = ss_number_short_value((uint64_t)(m < 0 ? -m : m), (unsigned)k, m < 0);
        assert_memory_equal(&ss_packed_value[u], &want, sizeof want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_widen_one_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_widen_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_widen_two_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packed_values, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
