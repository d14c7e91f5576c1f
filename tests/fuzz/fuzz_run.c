/* libFuzzer harness: the run spec file (survstat run's INI, read by inih)
 * into command lines.  cmd_run.c is included so its static parser,
 * validator and argument builders are reached as the command uses them;
 * nothing is run and no directory is made.  Link without build/.../cmd_run.o. */
#include "../../src/cli/cmd_run.c"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static spec s;
    memset(&s, 0, sizeof s);
    s.file = "fuzz.ini";
    s.fp = fmemopen((void *)data, size ? size : 1, "r");
    if (!s.fp)
        return 0;
    if (size == 0)
        fgetc(s.fp); /* fmemopen needs a size of 1 at least: read it away */
    int perr = ini_parse_stream(reader, &s, handler, &s);
    fclose(s.fp);
    if (!s.failed && perr == 0 && validate(&s) == 0) {
        const section *in = find_section(&s, "input", NULL), *de = find_section(&s, "design", NULL);
        const section *we = find_section(&s, "weighting", NULL);
        const section *r = find_section(&s, "run", NULL);
        const char *data_file = get(r, "data") ? get(r, "data") : "data.csv";
        for (size_t i = 0; i < s.nsec; i++) {
            const section *x = &s.sec[i];
            args a = {0};
            push(&a, x->type);
            push(&a, data_file);
            push_section(&a, in, input_keys);
            push_section(&a, de, design_keys);
            push_section(&a, we, weighting_keys);
            push_section(&a, x, keys_of(x->type));
            push(&a, "-o");
            push(&a, "out.csv");
            if (a.v[a.n] != NULL)
                abort(); /* the vector must end in NULL */
            args_free(&a);
        }
    }
    spec_free(&s);
    return 0;
}
