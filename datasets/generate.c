/* Synthetic data for the Qingdao satisfaction study (see README.md, "Qingdao
 * study").  Every number comes from GSL's MT19937 generator with fixed seeds,
 * so `make datasets` writes the same bytes every time:
 *
 *   generate OUTDIR
 *
 * writes OUTDIR/household.csv, household_2008.csv, phone.csv, phone_2008.csv,
 * phone_dispositions.csv, questionnaire.csv, population.csv and
 * population_cells.csv.  Nothing here is real survey data: the districts are
 * Qingdao's of 2009, the community names are invented, the sizes are
 * plausible, and the answers come from the model below.
 *
 * The answer model.  A respondent in district h and community c has a
 * latent attitude u = d_h + c + a + p (district effect, community effect
 * N(0, 0.25^2), age group effect, person effect N(0, 0.6^2)).  Item j's
 * latent value is mu_j + delta_j(wave) + u + e_j with e_j ~ N(0, 0.8^2), cut at fixed
 * thresholds into 1..5 (5 = very satisfied).  `overall` is the weighted sum
 * of the six items' latent values (weights beta below: practical work and
 * efficiency matter most, frugality least) plus its own district effect and
 * noise, cut the same way, so a key-driver analysis finds the betas back.
 * Each item is 9 (don't know) with a small item-specific probability.
 *
 * Household survey: two stages, communities by simple random sampling
 * without replacement within the district (fpc1 = communities in the
 * district), then households within the community (fpc2 = households in the
 * community); weight = (fpc1 / communities sampled) * (fpc2 / households
 * sampled).  Phone survey: stratified by district, base_weight = the
 * district's adults / its completed interviews; its respondents are older
 * and more often women than the population, so raking to population.csv
 * matters. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDIST 12
#define NITEM 6
#define HH_TOTAL 1534
#define PHONE_TOTAL 2400
#define QUEST_TOTAL 77

typedef struct district {
    const char *name;
    int urban;           /* communities are 社区 (1) or villages 村 (0) */
    int communities;     /* in the population: fpc1 */
    int sampled;         /* communities in the household sample */
    long adults;         /* adults 18+ (population.csv) */
    int phone_n;         /* completed phone interviews */
    double effect;       /* district effect on the latent attitude */
    double contact;      /* phone: relative contactability */
} district;

static const district D[NDIST] = {
    {"市南区", 1, 52, 6, 421000, 180, 0.25, 0.95},
    {"市北区", 1, 61, 7, 473000, 190, 0.05, 1.00},
    {"四方区", 1, 38, 5, 338000, 150, -0.10, 1.00},
    {"李沧区", 1, 44, 5, 272000, 130, -0.20, 1.05},
    {"崂山区", 1, 35, 4, 203000, 110, 0.30, 1.00},
    {"城阳区", 1, 118, 6, 398000, 180, 0.10, 1.05},
    {"黄岛区", 1, 72, 4, 214000, 110, 0.15, 1.10},
    {"胶州市", 0, 236, 6, 657000, 240, 0.00, 1.15},
    {"即墨市", 0, 298, 7, 931000, 300, -0.05, 1.15},
    {"平度市", 0, 421, 7, 1118000, 340, -0.30, 1.25},
    {"莱西市", 0, 283, 5, 612000, 220, -0.15, 1.20},
    {"胶南市", 0, 262, 6, 689000, 250, -0.10, 1.20},
};

/* Community name stems (invented); a stem is used once. */
static const char *const STEMS[] = {
    "湛山", "八大关", "金湖", "延安", "江苏路", "太平", "中山", "观海", "登州", "辽源",
    "浮山", "海伦", "台东", "镇江", "兴隆", "错埠岭", "洛阳", "杭州", "海琴", "合肥",
    "水清沟", "永平", "虎山", "兴华", "振华", "楼山", "李村", "九水", "浮山后", "沧口",
    "中韩", "沙子口", "北宅", "王哥庄", "棘洪滩", "流亭", "夏庄", "惜福", "红岛", "上马",
    "辛安", "薛家岛", "长江", "灵山卫", "九龙", "胶东", "李哥庄", "里岔", "铺集", "营海",
    "蓝村", "灵山", "鳌山", "温泉", "田横", "南泉", "蓼兰", "仁兆", "明村", "南村",
    "同和", "古岘", "店埠", "院上", "日庄", "沽河", "王台", "泊里", "大场", "海青",
    "宝山", "六汪",
};

static const char *const ITEMS[NITEM] = {"purpose", "practical", "responsibility",
                                         "frugality", "discipline", "efficiency"};
/* Item means on the latent scale, the importance of each item for `overall`
 * and the share of don't know (9) in 2009. */
static const double MU[NITEM] = {0.55, 0.10, 0.30, -0.05, 0.20, -0.10};
static const double BETA[NITEM] = {0.10, 0.28, 0.16, 0.05, 0.11, 0.30};
static const double DK[NITEM] = {0.02, 0.02, 0.03, 0.07, 0.05, 0.03};
/* 2008: lower satisfaction with practical work, frugality and efficiency. */
static const double DELTA_2008[NITEM] = {0.00, -0.30, -0.05, -0.25, 0.00, -0.35};

static const char *const AGE[4] = {"18-34", "35-49", "50-64", "65+"};
static const double AGE_POP[4] = {0.30, 0.30, 0.25, 0.15};   /* population shares */
static const double AGE_PHONE[4] = {0.14, 0.26, 0.33, 0.27}; /* phone respondents */
/* older residents are more satisfied: what raking the phone sample corrects */
static const double AGE_EFFECT[4] = {-0.25, -0.05, 0.10, 0.35};
static const double FEMALE_POP = 0.505, FEMALE_PHONE = 0.60;

/* Latent value -> 1..5. */
static int cut5(double x)
{
    static const double t[4] = {-1.6, -0.7, 0.2, 1.1};
    int k = 1;
    while (k <= 4 && x > t[k - 1])
        k++;
    return k;
}

static int draw(const gsl_rng *r, const double *p, int n)
{
    double u = gsl_rng_uniform(r), c = 0;
    for (int i = 0; i < n - 1; i++) {
        c += p[i];
        if (u < c)
            return i;
    }
    return n - 1;
}

/* One respondent's answers: overall, then the six items. */
static void answers(const gsl_rng *r, int wave, double dist_effect, double comm_effect,
                    int age, int out[1 + NITEM])
{
    double p = gsl_ran_gaussian_ziggurat(r, 0.6) + AGE_EFFECT[age];
    double u = dist_effect + comm_effect + p, s = 0;
    for (int j = 0; j < NITEM; j++) {
        double x = MU[j] + (wave == 2008 ? DELTA_2008[j] : 0) + u +
                   gsl_ran_gaussian_ziggurat(r, 0.8);
        s += BETA[j] * x;
        out[1 + j] = gsl_rng_uniform(r) < DK[j] ? 9 : cut5(x);
    }
    double o = 1.6 * s + 0.5 * dist_effect + gsl_ran_gaussian_ziggurat(r, 0.45);
    out[0] = gsl_rng_uniform(r) < 0.02 ? 9 : cut5(o);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void close_out(FILE *f)
{
    if (ferror(f) || fclose(f) != 0) {
        perror("generate");
        exit(1);
    }
}

static void item_header(FILE *f)
{
    fputs(",overall", f);
    for (int j = 0; j < NITEM; j++)
        fprintf(f, ",%s", ITEMS[j]);
    fputc('\n', f);
}

static void item_values(FILE *f, const int a[1 + NITEM])
{
    for (int j = 0; j <= NITEM; j++)
        fprintf(f, ",%d", a[j]);
    fputc('\n', f);
}

/* Households to interview in each of the 68 sampled communities: 16..28,
 * then adjusted by one at a time until they sum to HH_TOTAL. */
static void household_counts(const gsl_rng *r, int *m, int nc)
{
    int sum = 0;
    for (int i = 0; i < nc; i++)
        sum += m[i] = 16 + (int)gsl_rng_uniform_int(r, 13);
    while (sum != HH_TOTAL) {
        int i = (int)gsl_rng_uniform_int(r, nc);
        if (sum < HH_TOTAL && m[i] < 30) {
            m[i]++;
            sum++;
        } else if (sum > HH_TOTAL && m[i] > 15) {
            m[i]--;
            sum--;
        }
    }
}

static void household(const char *dir, const char *file, int wave, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    int nc = 0;
    for (int h = 0; h < NDIST; h++)
        nc += D[h].sampled;
    int m[128];
    household_counts(r, m, nc);
    /* the community names: a random order of the stems */
    size_t order[sizeof STEMS / sizeof STEMS[0]];
    for (size_t i = 0; i < sizeof STEMS / sizeof STEMS[0]; i++)
        order[i] = i;
    gsl_ran_shuffle(r, order, sizeof STEMS / sizeof STEMS[0], sizeof order[0]);

    FILE *f = open_out(dir, file);
    fputs("district,community,hh_id,fpc1,fpc2,weight,sex,age_group", f);
    item_header(f);
    int c = 0, hh = 100000; /* ids of six digits: never the --na code 9 */
    for (int h = 0; h < NDIST; h++) {
        for (int k = 0; k < D[h].sampled; k++, c++) {
            /* households in the community: urban communities are larger */
            int M = D[h].urban ? 1500 + (int)gsl_rng_uniform_int(r, 3500)
                               : 250 + (int)gsl_rng_uniform_int(r, 900);
            double weight = ((double)D[h].communities / D[h].sampled) * ((double)M / m[c]);
            double ce = gsl_ran_gaussian_ziggurat(r, 0.25);
            char name[64];
            snprintf(name, sizeof name, "%s%s", STEMS[order[c]], D[h].urban ? "社区" : "村");
            for (int i = 0; i < m[c]; i++) {
                int female = gsl_rng_uniform(r) < 0.53;
                int age = draw(r, AGE_POP, 4);
                int a[1 + NITEM];
                answers(r, wave, D[h].effect, ce, age, a);
                fprintf(f, "%s,%s,%d,%d,%d,%.12g,%s,%s", D[h].name, name, ++hh,
                        D[h].communities, M, weight, female ? "女" : "男", AGE[age]);
                item_values(f, a);
            }
        }
    }
    close_out(f);
    gsl_rng_free(r);
}

static void phone(const char *dir, const char *file, int wave, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    FILE *f = open_out(dir, file);
    fputs("district,resp_id,base_weight,sex,age_group", f);
    item_header(f);
    int id = 200000;
    for (int h = 0; h < NDIST; h++) {
        double w = (double)D[h].adults / D[h].phone_n;
        for (int i = 0; i < D[h].phone_n; i++) {
            int female = gsl_rng_uniform(r) < FEMALE_PHONE;
            int age = draw(r, AGE_PHONE, 4);
            int a[1 + NITEM];
            answers(r, wave, D[h].effect, 0.0, age, a);
            fprintf(f, "%s,%d,%.12g,%s,%s", D[h].name, ++id, w, female ? "女" : "男", AGE[age]);
            item_values(f, a);
        }
    }
    close_out(f);
    gsl_rng_free(r);
}

/* Every number dialled in 2009 with its final AAPOR disposition: numbers are
 * dialled in each district until its completes are reached. */
static void dispositions(const char *dir, unsigned long seed)
{
    static const char *const code[] = {"1.1",  "1.2",  "2.11", "2.12", "2.21", "2.22", "2.31",
                                       "2.32", "3.11", "3.12", "3.21", "4.2",  "4.31", "4.51"};
    static const double base[] = {0.240, 0.012, 0.150, 0.020, 0.090, 0.030, 0.010,
                                  0.006, 0.120, 0.040, 0.012, 0.050, 0.180, 0.040};
    enum { NCODE = sizeof code / sizeof code[0] };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    FILE *f = open_out(dir, "phone_dispositions.csv");
    fputs("case_id,district,disposition\n", f);
    long id = 0;
    for (int h = 0; h < NDIST; h++) {
        /* harder to reach districts: fewer completes, more non-contact */
        double p[NCODE], s = 0;
        for (int k = 0; k < NCODE; k++) {
            p[k] = base[k];
            if (k == 0 || k == 1)
                p[k] /= D[h].contact;
            if (k == 4 || k == 5 || k == 8)
                p[k] *= D[h].contact;
            s += p[k];
        }
        for (int k = 0; k < NCODE; k++)
            p[k] /= s;
        for (int done = 0; done < D[h].phone_n;) {
            int k = draw(r, p, NCODE);
            done += k == 0;
            fprintf(f, "%ld,%s,%s\n", ++id, D[h].name, code[k]);
        }
    }
    close_out(f);
    gsl_rng_free(r);
}

static void questionnaire(const char *dir, unsigned long seed)
{
    static const char *const office[] = {"行政审批大厅", "信访接待室", "社保服务窗口"};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    FILE *f = open_out(dir, "questionnaire.csv");
    fputs("form_id,office,sex,age_group", f);
    item_header(f);
    for (int i = 0; i < QUEST_TOTAL; i++) {
        int female = gsl_rng_uniform(r) < 0.45;
        int age = draw(r, AGE_POP, 4);
        int a[1 + NITEM];
        /* people served rate the office a little higher */
        answers(r, 2009, 0.2, 0.0, age, a);
        fprintf(f, "%d,%s,%s,%s", i + 1, office[gsl_rng_uniform_int(r, 3)],
                female ? "女" : "男", AGE[age]);
        item_values(f, a);
    }
    close_out(f);
    gsl_rng_free(r);
}

/* Integer totals with shares p that sum exactly to N (the last takes the
 * rest). */
static void split(long N, const double *p, int n, long *out)
{
    long rest = N;
    for (int i = 0; i < n - 1; i++)
        rest -= out[i] = lround(N * p[i]);
    out[n - 1] = rest;
}

static void population(const char *dir)
{
    long N = 0;
    for (int h = 0; h < NDIST; h++)
        N += D[h].adults;
    FILE *f = open_out(dir, "population.csv");
    fputs("variable,level,total\n", f);
    for (int h = 0; h < NDIST; h++)
        fprintf(f, "district,%s,%ld\n", D[h].name, D[h].adults);
    const double sexp[2] = {1 - FEMALE_POP, FEMALE_POP};
    long t[4];
    split(N, sexp, 2, t);
    fprintf(f, "sex,男,%ld\nsex,女,%ld\n", t[0], t[1]);
    split(N, AGE_POP, 4, t);
    for (int a = 0; a < 4; a++)
        fprintf(f, "age_group,%s,%ld\n", AGE[a], t[a]);
    close_out(f);

    f = open_out(dir, "population_cells.csv");
    fputs("district,sex,total\n", f);
    for (int h = 0; h < NDIST; h++) {
        split(D[h].adults, sexp, 2, t);
        fprintf(f, "%s,男,%ld\n%s,女,%ld\n", D[h].name, t[0], D[h].name, t[1]);
    }
    close_out(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: generate OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    household(dir, "household.csv", 2009, 20090601UL);
    household(dir, "household_2008.csv", 2008, 20080601UL);
    phone(dir, "phone.csv", 2009, 20090602UL);
    phone(dir, "phone_2008.csv", 2008, 20080602UL);
    dispositions(dir, 20090603UL);
    questionnaire(dir, 20090604UL);
    population(dir);
    return 0;
}
