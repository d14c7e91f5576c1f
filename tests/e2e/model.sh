# survstat model against R (tests/ref/model_cases.txt: svyglm coefficients,
# SEs, t, p, intervals and regTermTest, made by tests/ref/make_model_refs.R),
# the output formats, and one case per message.  Sourced by tests/run_tests.sh.

ref_cases "model" model tests/ref/model_cases.txt "tests/ref/model/@.expected.csv" modelcmp
