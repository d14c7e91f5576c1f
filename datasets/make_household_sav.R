# datasets/household.sav: the Qingdao household sample (household.csv) as
# the fieldwork firm delivers it, an SPSS file with value labels in Chinese:
# the six dimensions and the overall judgement 1 = 很不满意 ... 5 = 很满意,
# 9 = 不知道 declared user-missing; district, sex coded with labels; variable
# labels.  Run from the repository root: Rscript datasets/make_household_sav.R
suppressMessages(library(haven))
d <- read.csv("datasets/household.csv", stringsAsFactors = FALSE, encoding = "UTF-8",
              colClasses = c(community = "character"))
districts <- unique(d$district)
likert <- c("很不满意" = 1, "不太满意" = 2, "一般" = 3, "比较满意" = 4, "很满意" = 5,
            "不知道" = 9)
items <- c(overall = "总体满意度", purpose = "宗旨意识", practical = "求真务实",
           responsibility = "责任意识", frugality = "艰苦奋斗", discipline = "遵纪守法",
           efficiency = "工作效率")
out <- d
out$district <- labelled(match(d$district, districts),
                         setNames(seq_along(districts), districts), label = "区市")
out$sex <- labelled(ifelse(d$sex == "男", 1, 2), c("男" = 1, "女" = 2), label = "性别")
out$age_group <- labelled(d$age_group, label = "年龄组")
out$weight <- labelled(d$weight, label = "抽样权数")
for (v in names(items))
  out[[v]] <- labelled_spss(as.numeric(d[[v]]), likert, na_values = 9, label = items[[v]])
write_sav(out, "datasets/household.sav")
