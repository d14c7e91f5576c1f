/* survstat plot: charts of result files (and of a data file's weights)
 * through gnuplot.  The script is built by ss_plot, then either written
 * (--script) or piped to gnuplot, which renders into a temporary file
 * beside -o that is renamed only when gnuplot succeeded. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_number.h"
#include "ss_plot.h"
#include "ss_resultfile.h"
#include "ss_writer.h"

const char cmd_plot_usage[] =
    "usage: survstat plot RESULT.csv ... --type bar|likert|trend|ipa\n"
    "                     (-o OUT.png|.svg|.pdf | --script OUT.gp) [options]\n"
    "       survstat plot DATA.csv --type weights --weights COL [design and\n"
    "                     weighting options] (-o OUT.png|.svg|.pdf | --script OUT.gp)\n"
    "\n"
    "Charts through gnuplot (Debian gnuplot-nox), from the result files that\n"
    "estimate, trend and drivers write:\n"
    "  bar      the estimates as horizontal bars with confidence-interval\n"
    "           whiskers and their values; the whole-population row (empty\n"
    "           domain) as a dashed line with its interval shaded, in the key;\n"
    "           flagged estimates (the flag column, as estimate --flags nchs\n"
    "           writes it) in orange when some are not flagged, their flags\n"
    "           beside them and explained below; a proportion in several\n"
    "           domains as a group of bars per domain, coloured by level\n"
    "  likert   diverging stacked bars of the prop rows of several items: the\n"
    "           codes below the middle of --scale LOW:HIGH left of zero, the\n"
    "           middle code split across zero, the others right of it; the\n"
    "           axis fitted to the bars; don't know (by its label, or a code\n"
    "           not next to the scale, such as 9 on 1:5) left out with a note\n"
    "           of its share\n"
    "  trend    the estimates of several result files (their wave column) as\n"
    "           lines, one per variable, level and domain, in 16 colour-blind-\n"
    "           safe colours with markers and dashes; up to 8 lines labelled\n"
    "           at their ends with their values, more in a key; the band of\n"
    "           the confidence interval for one line or the --highlight one\n"
    "  ipa      the result of survstat drivers: importance against\n"
    "           performance, with lines at their means and the items labelled\n"
    "  weights  a histogram of the weights of a data file (after any\n"
    "           weighting options), with n and Kish's effective n in the title\n"
    "Proportions are drawn in percent.  Titles: --title, else the variable\n"
    "label of the result file (variable_label).  Several result files must\n"
    "hold the same statistic of the same variables and domains.\n"
    "\n"
    "options:\n"
    "  --type TYPE          the chart (required)\n"
    "  -o FILE              the chart; .png (pngcairo), .svg or .pdf\n"
    "  --script FILE        write the gnuplot script instead of running gnuplot\n"
    "                       (- for standard output); it draws into -o, else\n"
    "                       FILE with .png for .gp\n"
    "  --statistic S, --variable V, --level L   draw only these rows (bar and\n"
    "                       trend draw one statistic; likert draws prop rows)\n"
    "  --scale LOW:HIGH     likert: the answer codes, HIGH the most satisfied end\n"
    "                       (default: the lowest and highest level present)\n"
    "  --flags mark|suppress  bar: mark flagged estimates (default), or as\n"
    "                       --suppress\n"
    "  --suppress           bar: an empty slot with its flag for each estimate\n"
    "                       flagged Px, the bars in the codes' order\n"
    "  --order data|value|label  bar, likert: the file's (codes') order, by\n"
    "                       estimate (largest first) or by label (default: data\n"
    "                       for the levels of one variable and for likert items,\n"
    "                       value for bars of domains or variables)\n"
    "  --highlight LEVEL    trend: draw that line (its label, level or domain\n"
    "                       value) thick, on top, with its confidence band\n"
    "  --title TEXT, --width PIXELS, --height PIXELS (pdf: 96 pixels an inch)\n"
    "  --font NAME          default '" SS_PLOT_FONT "' (fonts-wqy-zenhei)\n"
    "  --gnuplot PATH       the gnuplot program (default gnuplot on PATH)\n"
    "  --gnuplot-timeout SECONDS  stop gnuplot after SECONDS (default 60)\n"
    "Text from data and options reaches the script only as quoted strings;\n"
    "labels past width/24 columns end in an ellipsis.  When gnuplot is\n"
    "missing, fails, times out or leaves the chart incomplete, nothing is\n"
    "written (docs/plot.md).\n"
    "\n"
    "example:\n"
    "  survstat plot tests/data/wave_2008.csv --type bar --variable api00 --script -\n";

enum {
    OPT_TYPE = SS_OPT_FIRST_COMMAND,
    OPT_TITLE,
    OPT_WIDTH,
    OPT_HEIGHT,
    OPT_SCRIPT,
    OPT_GNUPLOT,
    OPT_STATISTIC,
    OPT_VARIABLE,
    OPT_LEVEL,
    OPT_SCALE,
    OPT_FLAGS,
    OPT_FONT,
    OPT_GNUPLOT_TIMEOUT,
    OPT_ORDER,
    OPT_SUPPRESS,
    OPT_HIGHLIGHT,
};

static const struct option own_options[] = {
    {"type", required_argument, NULL, OPT_TYPE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"gnuplot", required_argument, NULL, OPT_GNUPLOT},
    {"statistic", required_argument, NULL, OPT_STATISTIC},
    {"variable", required_argument, NULL, OPT_VARIABLE},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"flags", required_argument, NULL, OPT_FLAGS},
    {"font", required_argument, NULL, OPT_FONT},
    {"gnuplot-timeout", required_argument, NULL, OPT_GNUPLOT_TIMEOUT},
    {"order", required_argument, NULL, OPT_ORDER},
    {"suppress", no_argument, NULL, OPT_SUPPRESS},
    {"highlight", required_argument, NULL, OPT_HIGHLIGHT},
    {NULL, 0, NULL, 0},
};

typedef struct plot_args {
    ss_cli cli;
    ss_plot_options po;
    int type_set;
    const char *script, *gnuplot, *statistic, *variable, *level;
    double timeout; /* seconds gnuplot may take */
    char *script_output; /* the chart path a script names without -o */
} plot_args;

static int pixels(const char *arg, const char *option, int *out, ss_error *err)
{
    double v;
    if (ss_number_parse(arg, strlen(arg), &v) != 0 || v != (int)v || v < 100 || v > 10000)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "%s: expected a whole number of pixels from 100 to 10000, got '%s'",
                            option, arg);
    *out = (int)v;
    return SS_OK;
}

static int scale(const char *arg, ss_plot_options *po, ss_error *err)
{
    const char *colon = strchr(arg, ':');
    if (!colon || ss_number_parse(arg, (size_t)(colon - arg), &po->low) != 0 ||
        ss_number_parse(colon + 1, strlen(colon + 1), &po->high) != 0 || po->low == po->high)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--scale: expected LOW:HIGH such as 1:5 or 5:1, got '%s'", arg);
    po->scale_set = 1;
    return SS_OK;
}

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    plot_args *a = ctx;
    int rc = SS_OK;
    switch (opt) {
    case OPT_TYPE:
        if (ss_plot_type_parse(arg, &a->po.type) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--type: expected bar, likert, trend, ipa or weights, got '%s'",
                              arg);
        a->type_set = 1;
        break;
    case OPT_TITLE:
        a->po.title = arg;
        break;
    case OPT_WIDTH:
        rc = pixels(arg, "--width", &a->po.width, err);
        break;
    case OPT_HEIGHT:
        rc = pixels(arg, "--height", &a->po.height, err);
        break;
    case OPT_SCRIPT:
        a->script = arg;
        break;
    case OPT_GNUPLOT:
        a->gnuplot = arg;
        break;
    case OPT_STATISTIC:
        a->statistic = arg;
        break;
    case OPT_VARIABLE:
        a->variable = arg;
        break;
    case OPT_LEVEL:
        a->level = arg;
        break;
    case OPT_SCALE:
        rc = scale(arg, &a->po, err);
        break;
    case OPT_FLAGS:
        if (strcmp(arg, "mark") == 0 || strcmp(arg, "suppress") == 0)
            a->po.suppress = arg[0] == 's';
        else
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--flags: expected mark or suppress, got '%s'", arg);
        break;
    case OPT_FONT:
        a->po.font = arg;
        break;
    case OPT_ORDER:
        if (ss_plot_order_parse(arg, &a->po.order) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--order: expected data, value or label, got '%s'", arg);
        break;
    case OPT_SUPPRESS:
        a->po.suppress = 1;
        break;
    case OPT_HIGHLIGHT:
        a->po.highlight = arg;
        break;
    case OPT_GNUPLOT_TIMEOUT: {
        double v;
        if (ss_number_parse(arg, strlen(arg), &v) != 0 || !(v > 0) || v > 86400)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--gnuplot-timeout: expected seconds above 0 and at most 86400, "
                              "got '%s'",
                              arg);
        else
            a->timeout = v;
        break;
    }
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

/* Options; returns SS_OK, an error code with err filled, or
 * SS_CLI_BAD_OPTION when the unknown-option message has been printed. */
static int parse(plot_args *a, int argc, char **argv, ss_error *err)
{
    return ss_cli_parse(&a->cli, argc, argv, own_options, option, a, err);
}

static int has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 1;
    return 0;
}

/* The checks that need every option; fills po.term and the output names. */
static int check(plot_args *a, int nfiles, ss_error *err)
{
    ss_plot_options *po = &a->po;
    const ss_cli *c = &a->cli;
    if (!a->type_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "give --type bar, likert, trend, ipa or weights");
    if (!c->output && !a->script)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "give -o OUT.png, .svg or .pdf, or --script OUT.gp");
    if (c->format_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--format: a chart's format comes from the -o extension");
    if (c->output && strcmp(c->output, "-") == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "-o: a chart needs a file name (.png, .svg or .pdf)");
    if (c->output && has_control(c->output))
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "-o: the file name holds a control character");
    const char *chart = c->output;
    if (!chart && strcmp(a->script, "-") != 0) {
        size_t n = strlen(a->script);
        a->script_output = malloc(n + 5);
        if (!a->script_output)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        memcpy(a->script_output, a->script, n + 1);
        if (n > 3 && strcmp(a->script + n - 3, ".gp") == 0)
            a->script_output[n - 3] = '\0';
        strcat(a->script_output, ".png");
        chart = a->script_output;
    } else if (!chart) {
        chart = "chart.png";
    }
    if (has_control(chart))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--script: the file name holds a control character");
    if (ss_plot_term_for_path(chart, &po->term) != 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "-o: '%s': the extension must be .png, .svg or .pdf", chart);
    po->output = chart;
    int design = c->design.weights || c->design.strata || c->design.nids || c->design.nfpc ||
                 ss_weight_any(&c->weight);
    if (po->type == SS_PLOT_WEIGHTS) {
        if (!c->design.weights)
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "--type weights needs --weights COL");
        if (nfiles != 1)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--type weights draws one DATA file, got %d", nfiles);
    } else {
        if (design)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "design and weighting options go with --type weights; the "
                                "other charts draw result files");
        if (nfiles < 1)
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "give one or more RESULT files");
    }
    if (po->scale_set && po->type != SS_PLOT_LIKERT)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--scale goes with --type likert");
    if (po->order && po->type != SS_PLOT_BAR && po->type != SS_PLOT_LIKERT)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--order goes with --type bar or likert");
    if (po->suppress && po->type != SS_PLOT_BAR)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--suppress goes with --type bar");
    if (po->highlight && po->type != SS_PLOT_TREND)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--highlight goes with --type trend");
    return SS_OK;
}

/* Does the row pass the options' selection? */
static int keep_row(const plot_args *a, const ss_result_row *x)
{
    const char *stat = a->statistic;
    if (!stat && a->po.type == SS_PLOT_LIKERT)
        stat = "prop";
    int keep = (!stat || strcmp(x->statistic, stat) == 0) &&
               (!a->variable || strcmp(x->variable, a->variable) == 0) &&
               (!a->level || strcmp(x->level, a->level) == 0);
    if (a->po.type == SS_PLOT_IPA)
        keep = keep && (strcmp(x->statistic, "importance") == 0 ||
                        strcmp(x->statistic, "performance") == 0);
    return keep;
}

/* "t2b of 'overall'", or "domains by 'district'", of a row for a message. */
static void shape_text(const ss_result_row *x, int domain, char *buf, size_t size)
{
    if (!domain) {
        snprintf(buf, size, "%s of '%.200s'", x->statistic, x->variable);
        return;
    }
    const char *eq = strchr(x->domain, '=');
    if (eq)
        snprintf(buf, size, "domains of '%.*s'", (int)(eq - x->domain), x->domain);
    else
        snprintf(buf, size, "the whole population's %s of '%.200s'", x->statistic, x->variable);
}

/* Is there a selected row in rows [from, to) of all with the same
 * statistic and variable as y (domain 0), or the same domain variable (1)? */
static int file_has(const plot_args *a, const ss_result *all, size_t from, size_t to,
                    const ss_result_row *y, int domain)
{
    for (size_t i = from; i < to; i++) {
        const ss_result_row *x = &all->row[i];
        if (!keep_row(a, x))
            continue;
        if (!domain && strcmp(x->statistic, y->statistic) == 0 &&
            strcmp(x->variable, y->variable) == 0)
            return 1;
        if (domain) {
            const char *p = strchr(x->domain, '='), *q = strchr(y->domain, '=');
            if ((!p && !q) || (p && q && p - x->domain == q - y->domain &&
                               memcmp(x->domain, y->domain, (size_t)(p - x->domain)) == 0))
                return 1;
        }
    }
    return 0;
}

/* Several result files in one chart must hold the same statistics of the
 * same variables (among the rows chosen), and their domains the same
 * variables (a file of the whole population alone goes with any): else the
 * chart would mix results of different shapes.  from[k] .. from[k+1]: the
 * rows of file k. */
static int check_files(const plot_args *a, const ss_result *all, const size_t *from, int nfiles,
                       char **files, ss_error *err)
{
    if (nfiles < 2 || a->po.type == SS_PLOT_IPA)
        return SS_OK;
    for (int k = 0; k < nfiles; k++)
        for (int j = 0; j < nfiles; j++) {
            if (j == k)
                continue;
            int any_domain_j = 0;
            for (size_t i = from[j]; i < from[j + 1]; i++)
                any_domain_j |= keep_row(a, &all->row[i]) && all->row[i].domain[0];
            for (size_t i = from[k]; i < from[k + 1]; i++) {
                const ss_result_row *x = &all->row[i];
                if (!keep_row(a, x))
                    continue;
                for (int domain = 0; domain < 2; domain++) {
                    /* A bar chart's reference line: the whole population's
                     * row, in a file of its own. */
                    if (domain && a->po.type != SS_PLOT_TREND && (!x->domain[0] || !any_domain_j))
                        continue;
                    if (file_has(a, all, from[j], from[j + 1], x, domain))
                        continue;
                    char what[300], other[300] = "no rows to draw";
                    shape_text(x, domain, what, sizeof what);
                    for (size_t m = from[j]; m < from[j + 1]; m++)
                        if (keep_row(a, &all->row[m])) {
                            char t[300];
                            shape_text(&all->row[m], domain, t, sizeof t);
                            snprintf(other, sizeof other, "%s", t);
                            break;
                        }
                    if (domain)
                        return ss_error_set(err, SS_EDATA, files[k], 0,
                                            "holds %s, %s holds %s: a chart draws the same "
                                            "domains from every file",
                                            what, files[j], other);
                    return ss_error_set(err, SS_EDATA, files[k], 0,
                                        "holds %s, %s holds %s: a chart draws the same statistic "
                                        "of the same variables from every file (choose rows with "
                                        "--statistic and --variable)",
                                        what, files[j], other);
                }
            }
        }
    return SS_OK;
}

/* Keep the rows the options select; bar and trend draw one statistic. */
static int select_rows(const plot_args *a, const ss_result *all, ss_result *sel, const char *file,
                       ss_error *err)
{
    const char *stat = a->statistic;
    if (!stat && a->po.type == SS_PLOT_LIKERT)
        stat = "prop";
    for (size_t i = 0; i < all->n; i++) {
        const ss_result_row *x = &all->row[i];
        if (!keep_row(a, x))
            continue;
        ss_result_row *y = ss_result_add(sel, x->statistic, x->variable, x->level, x->domain);
        if (!y || ss_result_set_str(&y->wave, x->wave) != 0 ||
            ss_result_set_str(&y->flag, x->flag) != 0 ||
            (x->var_label && ss_result_set_str(&y->var_label, x->var_label) != 0) ||
            (x->by_label && ss_result_set_str(&y->by_label, x->by_label) != 0))
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        y->estimate = x->estimate;
        y->se = x->se;
        y->ci_low = x->ci_low;
        y->ci_high = x->ci_high;
        y->df = x->df;
        y->n = x->n;
    }
    if (sel->n == 0)
        return ss_error_set(err, SS_EDATA, file, 0, "no rows to draw%s%s%s%s%s%s%s%s%s",
                            stat ? " with statistic '" : "", stat ? stat : "", stat ? "'" : "",
                            a->variable ? ", variable '" : "", a->variable ? a->variable : "",
                            a->variable ? "'" : "", a->level ? ", level '" : "",
                            a->level ? a->level : "", a->level ? "'" : "");
    if (a->po.type == SS_PLOT_BAR || a->po.type == SS_PLOT_TREND)
        for (size_t i = 1; i < sel->n; i++)
            if (strcmp(sel->row[i].statistic, sel->row[0].statistic) != 0)
                return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                    "the rows hold several statistics ('%s', '%s'): choose "
                                    "one with --statistic",
                                    sel->row[0].statistic, sel->row[i].statistic);
    if (a->po.type == SS_PLOT_TREND)
        for (size_t i = 0; i < sel->n; i++)
            if (!sel->row[i].wave[0])
                return ss_error_set(err, SS_EDATA, file, 0,
                                    "a row of '%s' has no wave: a trend chart needs the wave "
                                    "column (estimate --wave LABEL)",
                                    sel->row[i].variable);
    return SS_OK;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), at least 0. */
static long ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)(deadline->tv_sec - now.tv_sec) * 1000 +
              (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? ms : 0;
}

/* Pipe the script to gnuplot (no shell between), its stderr left as ours.
 * gnuplot runs in a process group of its own, which survstat ends when it
 * is killed by a signal (ss_output_protect_child) or when gnuplot has not
 * finished after timeout seconds; the kernel kills gnuplot too when
 * survstat dies without a chance to (PR_SET_PDEATHSIG). */
static int run_gnuplot(const char *prog, const ss_buf *script, double timeout, ss_error *err)
{
    int fd[2], ep[2];
    if (pipe(fd) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "cannot run gnuplot: %s", strerror(errno));
    if (pipe(ep) != 0 || fcntl(ep[1], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fd[1], F_SETFD, FD_CLOEXEC) != 0) {
        close(fd[0]);
        close(fd[1]);
        return ss_error_set(err, SS_EDATA, NULL, 0, "cannot run gnuplot: %s", strerror(errno));
    }
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        signal(SIGXFSZ, SIG_DFL); /* survstat ignores it for its own writes */
        signal(SIGPIPE, SIG_DFL);
        close(ep[0]);
        dup2(fd[0], 0);
        close(fd[0]);
        char *argv[] = {(char *)prog, NULL};
        execvp(prog, argv);
        int e = errno;
        if (write(ep[1], &e, sizeof e) < 0)
            _exit(127);
        _exit(127);
    }
    close(fd[0]);
    close(ep[1]);
    if (pid < 0) {
        int e = errno;
        close(fd[1]);
        close(ep[0]);
        return ss_error_set(err, SS_EDATA, NULL, 0, "cannot run gnuplot: %s", strerror(e));
    }
    setpgid(pid, pid); /* also here: no race with a signal before the child's */
    ss_output_protect_child(pid);
    int exec_errno = 0;
    ssize_t got_e;
    while ((got_e = read(ep[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
        ;
    close(ep[0]);
    if (got_e == (ssize_t)sizeof exec_errno) {
        close(fd[1]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        ss_output_protect_child(0);
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "gnuplot '%s' cannot be run: %s (install gnuplot-nox or give "
                            "--gnuplot PATH); no chart written",
                            prog, strerror(exec_errno));
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)timeout;
    deadline.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    /* gnuplot may stop reading early; its status says why, not SIGPIPE. */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    fcntl(fd[1], F_SETFL, O_NONBLOCK);
    size_t done = 0;
    int timed_out = 0;
    while (done < script->n) {
        struct pollfd pf = {.fd = fd[1], .events = POLLOUT};
        int pr = poll(&pf, 1, (int)ms_left(&deadline));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            timed_out = 1;
            break;
        }
        ssize_t w = write(fd[1], script->s + done, script->n - done);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd[1]);
    int st = 0;
    pid_t got = 0;
    while (!timed_out) {
        got = waitpid(pid, &st, WNOHANG);
        if (got != 0 && !(got < 0 && errno == EINTR))
            break;
        if (ms_left(&deadline) == 0) {
            timed_out = 1;
            break;
        }
        struct timespec nap = {0, 10 * 1000000L};
        nanosleep(&nap, NULL);
    }
    if (timed_out) {
        kill(-pid, SIGKILL);
        while ((got = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
            ;
    }
    ss_output_protect_child(0);
    sigaction(SIGPIPE, &old, NULL);
    if (timed_out)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "gnuplot '%s' did not finish in %g s and was stopped (--gnuplot-timeout); "
                            "no chart written",
                            prog, timeout);
    /* Helpers gnuplot left in its group end with it. */
    kill(-pid, SIGKILL);
    if (got < 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "gnuplot '%s': %s; no chart written", prog,
                            strerror(errno));
    if (WIFSIGNALED(st))
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "gnuplot '%s' was killed by signal %d; no chart written", prog,
                            WTERMSIG(st));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "gnuplot '%s' failed with exit status %d; no chart written", prog,
                            WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    if (done < script->n)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "gnuplot '%s' stopped reading the script; no chart written", prog);
    return SS_OK;
}

/* Does the chart gnuplot rendered end as its format ends: a PNG with its
 * IEND chunk, an SVG with </svg>, a PDF with %%EOF (spaces after the last
 * two allowed)?  gnuplot exits 0 after a write that failed on a full disk. */
static int chart_whole(const char *path, ss_plot_term term)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char tail[64];
    size_t n = 0;
    if (fseek(fp, -(long)sizeof tail, SEEK_END) != 0)
        rewind(fp);
    n = fread(tail, 1, sizeof tail, fp);
    fclose(fp);
    if (term == SS_TERM_PNG)
        return n >= 12 && memcmp(tail + n - 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12) == 0;
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' ' ||
                     tail[n - 1] == '\t'))
        n--;
    const char *end = term == SS_TERM_SVG ? "</svg>" : "%%EOF";
    size_t m = strlen(end);
    return n >= m && memcmp(tail + n - m, end, m) == 0;
}

/* The script for the files: result rows, or a data file's weights. */
static int build(plot_args *a, int nfiles, char **files, ss_buf *script, ss_error *err)
{
    int rc;
    if (a->po.type == SS_PLOT_WEIGHTS) {
        ss_table t = {0};
        ss_design d = {0};
        rc = ss_cli_load(&a->cli, files[0], NULL, 0, &t, &d, NULL, err);
        if (rc == SS_OK) {
            /* After weighting options the weights drawn are the adjusted
             * ones: the title says so. */
            char note[1200] = "";
            const ss_weight_spec *ws = &a->cli.weight;
            static const char *const calfun[] = {"linear", "raking", "logit"};
            if (ws->nnonresponse)
                snprintf(note + strlen(note), sizeof note - strlen(note),
                         "%sadjusted for nonresponse", note[0] ? ", " : "");
            if (ws->poststrat)
                snprintf(note + strlen(note), sizeof note - strlen(note),
                         "%spost-stratified to %.300s", note[0] ? ", " : "", ws->poststrat);
            if (ws->rake)
                snprintf(note + strlen(note), sizeof note - strlen(note), "%sraked to %.300s",
                         note[0] ? ", " : "", ws->rake);
            if (ws->calibrate)
                snprintf(note + strlen(note), sizeof note - strlen(note),
                         "%scalibrated (%s) to %.300s", note[0] ? ", " : "",
                         calfun[ws->calfun], ws->calibrate);
            if (ws->trim)
                snprintf(note + strlen(note), sizeof note - strlen(note), "%strimmed to %g-%g",
                         note[0] ? ", " : "", ws->trim_low, ws->trim_high);
            a->po.weight_note = note[0] ? note : NULL;
            rc = ss_plot_weights_script(script, &a->po, d.w, d.n, a->cli.design.weights, err);
            a->po.weight_note = NULL;
            if (rc != SS_OK && !err->file[0])
                snprintf(err->file, sizeof err->file, "%s", files[0]);
        }
        ss_design_free(&d);
        ss_table_free(&t);
        return rc;
    }
    ss_result all, sel;
    ss_result_init(&all);
    ss_result_init(&sel);
    rc = SS_OK;
    size_t *from = calloc((size_t)nfiles + 1, sizeof *from);
    if (!from)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (int k = 0; k < nfiles && rc == SS_OK; k++) {
        rc = ss_result_read(&all, files[k], &a->cli.read, err);
        from[k + 1] = all.n;
    }
    if (rc == SS_OK)
        rc = check_files(a, &all, from, nfiles, files, err);
    free(from);
    const char *file = nfiles == 1 ? files[0] : NULL;
    if (rc == SS_OK)
        rc = select_rows(a, &all, &sel, file, err);
    if (rc == SS_OK) {
        rc = ss_plot_script(script, &a->po, &sel, err);
        if (rc != SS_OK && file && !err->file[0])
            snprintf(err->file, sizeof err->file, "%s", file);
    }
    ss_result_free(&all);
    ss_result_free(&sel);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    static plot_args a;
    memset(&a, 0, sizeof a);
    a.timeout = 60;
    ss_cli_init(&a.cli, "plot");
    ss_error err;
    ss_error_clear(&err);
    int rc = parse(&a, argc, argv, &err);
    if (rc == SS_CLI_BAD_OPTION) {
        ss_cli_free(&a.cli);
        return 2;
    }
    int nfiles = argc - optind;
    char **files = argv + optind;
    if (rc == SS_OK)
        rc = check(&a, nfiles, &err);
    ss_buf script;
    ss_buf_init(&script);
    ss_output out = {0};
    if (rc == SS_OK && !a.script) {
        /* gnuplot draws into the temporary file that commit renames. */
        rc = ss_output_open(&out, a.cli.output, &err);
        if (rc == SS_OK)
            a.po.output = out.tmp ? out.tmp : out.path;
    }
    if (rc == SS_OK)
        rc = build(&a, nfiles, files, &script, &err);
    if (rc == SS_OK && script.failed)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && a.script) {
        ss_output so;
        rc = ss_output_open(&so, a.script, &err);
        if (rc == SS_OK) {
            fwrite(script.s, 1, script.n, so.fp);
            rc = ss_output_commit(&so, &err);
        }
    } else if (rc == SS_OK) {
        const char *prog = a.gnuplot ? a.gnuplot : "gnuplot";
        rc = run_gnuplot(prog, &script, a.timeout, &err);
        struct stat st;
        if (rc == SS_OK && out.tmp && (stat(out.tmp, &st) != 0 || st.st_size == 0))
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "gnuplot '%s' wrote no chart", prog);
        else if (rc == SS_OK && out.tmp && !chart_whole(out.tmp, a.po.term))
            rc = ss_error_set(&err, SS_EDATA, a.cli.output, 0,
                              "gnuplot '%s' wrote an incomplete %s (is the disk full?); the "
                              "old chart is kept",
                              prog, a.po.term == SS_TERM_PNG   ? "PNG"
                                    : a.po.term == SS_TERM_SVG ? "SVG"
                                                               : "PDF");
        if (rc == SS_OK)
            rc = ss_output_commit(&out, &err);
    }
    if (rc != SS_OK) {
        if (out.fp)
            ss_output_abort(&out);
        ss_error_print(&err, "plot");
    }
    ss_buf_free(&script);
    free(a.script_output);
    ss_cli_free(&a.cli);
    return rc;
}
