# Upstream port4me 0.7.1 (R) behind the harness protocol's library interface
# (spec/INTERPRETING.md section 11): Rscript --default-packages=NULL upstream_r.R, with R_LIBS
# naming the library that holds the package (R CMD INSTALL --library=LIB r). JSON through
# Debian's jsonlite. Without the default packages R starts in about two thirds of the time,
# which the runner pays once per worker and host condition.
#
# Each call sets the process environment to the request's (port4me() reads its variables
# with Sys.getenv) and calls port4me::port4me(). A setting of ASCII digits is passed as a
# number (the R API takes numbers for skip, list, test and max_tries); any other value is
# passed as the string it is. Errors map to kinds: "Failed to find a free TCP port" is
# runtime; every other error (stop(), stopifnot()) is usage, R's way of refusing input.

suppressPackageStartupMessages({
  library(jsonlite)
  library(port4me)
})

numbers <- c("skip", "list", "test", "max_tries")

set_environment <- function(env) {
  old <- names(Sys.getenv())
  if (length(old) > 0) Sys.unsetenv(old)
  if (length(env) > 0) do.call(Sys.setenv, env)
}

call_library <- function(settings, env) {
  set_environment(env)
  args <- lapply(names(settings), function(name) {
    value <- settings[[name]]
    if (name %in% numbers && grepl("^[0-9]+$", value)) as.numeric(value) else value
  })
  names(args) <- names(settings)
  result <- tryCatch(
    list(value = suppressWarnings(do.call(port4me::port4me, args))),
    error = function(e) list(error = conditionMessage(e))
  )
  if (!is.null(result$error)) {
    kind <- if (grepl("Failed to find a free TCP port", result$error, fixed = TRUE)) "runtime" else "usage"
    return(list(error = list(kind = kind, message = result$error)))
  }
  value <- result$value
  if (is.logical(value)) return(list(free = isTRUE(value)))
  list(ports = as.integer(value))
}

# An answer line. Ports and free are written directly: jsonlite's toJSON took 3 ms a call, a
# sixth of a typical call's time; anything else (errors, whose messages need escaping, the
# self-description, a port that is NA) goes through toJSON.
answer_line <- function(seq, answer) {
  if (length(answer) == 1L && !is.null(answer$ports) && !anyNA(answer$ports)) {
    return(sprintf('{"seq":%s,"ports":[%s]}', format(seq, scientific = FALSE), paste(answer$ports, collapse = ",")))
  }
  if (length(answer) == 1L && !is.null(answer$free)) {
    return(sprintf('{"seq":%s,"free":%s}', format(seq, scientific = FALSE), if (answer$free) "true" else "false"))
  }
  if (!is.null(answer$ports)) answer$ports <- as.list(answer$ports)
  as.character(toJSON(c(list(seq = seq), answer), auto_unbox = TRUE, digits = NA))
}

describe <- function() {
  list(
    name = "port4me (upstream, R)",
    version = as.character(utils::packageVersion("port4me")),
    language = "R",
    language_version = paste(R.version$major, R.version$minor, sep = "."),
    homepage = "https://github.com/HenrikBengtsson/port4me",
    issues = "https://github.com/HenrikBengtsson/port4me/issues",
    interfaces = list("library"),
    notes = "errors: 'Failed to find a free TCP port' -> runtime; any other R error -> usage"
  )
}

input <- file("stdin", open = "r")
output <- stdout()
sink(stderr())  # what port4me() prints goes to stderr, never into the answers
repeat {
  line <- readLines(input, n = 1L, warn = FALSE, encoding = "UTF-8")
  if (length(line) == 0L) break
  request <- fromJSON(line, simplifyVector = FALSE)
  if (identical(request$op, "stop")) break
  answer <- if (identical(request$op, "hello")) {
    list(protocol = "1.0", implementation = describe())
  } else {
    call_library(request$settings, request$env)
  }
  writeLines(enc2utf8(answer_line(request$seq, answer)), output, useBytes = TRUE)
  flush(output)
}
quit(save = "no", status = 0L)
