# Plot vagap vaar output: path estimates with their 95% Wald CIs (and, when the
# table has them, bootstrap percentile intervals) per group, coloured by
# agreement with the expected sign; and VAAR per group with bootstrap intervals.
# Usage: Rscript plot.R VAAR_TABLE.csv OUTDIR
suppressMessages(library(ggplot2))
args <- commandArgs(TRUE)
if (length(args) != 2) stop("usage: Rscript plot.R VAAR_TABLE.csv OUTDIR")
v <- read.csv(args[1], stringsAsFactors = FALSE)   # vagap writes NA, TRUE, FALSE as R reads them
paths <- subset(v, type == "path")
paths$path <- paste(paths$lhs, paths$op, paths$rhs)
paths$agreement <- ifelse(paths$agree.strict, "agrees (p < alpha)",
                          ifelse(paths$agree.sign, "sign only", "disagrees"))
paths$group <- factor(paths$group, levels = rev(unique(v$group)))
has_boot <- any(!is.na(paths$boot.lower))

p <- ggplot(paths, aes(x = est, y = group, colour = agreement)) +
  geom_vline(xintercept = 0, linetype = "dashed", colour = "grey50") +
  geom_errorbarh(aes(xmin = ci.lower, xmax = ci.upper), height = 0.25) +
  geom_point(size = 2) +
  facet_wrap(~ path, scales = "free_x") +
  scale_colour_manual(values = c("agrees (p < alpha)" = "#1b7837", "sign only" = "#e6ab02",
                                 "disagrees" = "#b2182b")) +
  labs(x = "unstandardised path estimate (95% Wald CI)", y = NULL, colour = NULL,
       title = "Structural paths per group",
       subtitle = "expected signs: see the 'expected' column; factor signs fixed by marker items") +
  theme_bw() + theme(legend.position = "bottom")
if (has_boot)
  p <- p + geom_errorbarh(aes(xmin = boot.lower, xmax = boot.upper), height = 0, linewidth = 2,
                          alpha = 0.3)
ggsave(file.path(args[2], "paths.pdf"), p, width = 8, height = 4.5)

vaar <- subset(v, type %in% c("vaar.strict", "vaar.sign"))
vaar$group <- factor(vaar$group, levels = unique(v$group))
q <- ggplot(vaar, aes(x = group, y = est, colour = type)) +
  geom_point(position = position_dodge(width = 0.5), size = 2) +
  labs(x = NULL, y = "VAAR (k / K)", colour = NULL, title = "Value-Action Alignment Rate per group") +
  scale_y_continuous(limits = c(0, 1)) + theme_bw()
if (any(!is.na(vaar$boot.lower)))
  q <- q + geom_errorbar(aes(ymin = boot.lower, ymax = boot.upper), width = 0.2,
                         position = position_dodge(width = 0.5))
ggsave(file.path(args[2], "vaar.pdf"), q, width = 8, height = 4)
cat("wrote", file.path(args[2], "paths.pdf"), "and", file.path(args[2], "vaar.pdf"), "\n")
