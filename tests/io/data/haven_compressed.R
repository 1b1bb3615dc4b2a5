# Writes haven_compressed.sav: a small survey extract as R users save it (haven's write_sav
# default compress = "byte", SPSS's default bytecode compression). Used by
# tests/io/test_io_savdata.py to check the numpy reader against pyreadstat on a file written by
# other software. Written with R 4.2.2 Patched (2022-11-10 r83330), haven 2.5.1 (Debian
# r-cran-haven); run: Rscript haven_compressed.R
library(haven)
set.seed(20251202)
n <- 300
d <- data.frame(
  id = seq_len(n),
  weegfactor = round(rgamma(n, 2, 2), 6),
  jaar = sample(2012:2022, n, replace = TRUE),
  cursus = labelled(sample(c(1, 2, 9, NA), n, replace = TRUE, prob = c(.5, .4, .05, .05)),
                    c(Ja = 1, Nee = 2, "Weet niet" = 9)),
  inkomen = round(rnorm(n, 3000, 900)),
  sector = sample(c("Zorg", "Onderwijs", "Bouw", "Handel en reparatie", ""), n, replace = TRUE),
  stringsAsFactors = FALSE
)
d$inkomen[sample(n, 10)] <- NA
write_sav(d, "haven_compressed.sav")
cat(R.version.string, "haven", as.character(packageVersion("haven")), "\n")
