# Upstream port4me 0.7.1 (R) behind the harness protocol's library interface
# (spec/INTERPRETING.md section 11): Rscript --default-packages=NULL upstream_r.R, with R_LIBS
# naming the library that holds the package (R CMD INSTALL --library=LIB r). Base R only: the
# default packages and a JSON package (jsonlite loads methods) took two thirds of R's start,
# which the runner pays once per worker and host condition.
#
# Each call sets the process environment to the request's (port4me() reads its variables
# with Sys.getenv) and calls port4me::port4me(). A setting of ASCII digits is passed as a
# number (the R API takes numbers for skip, list, test and max_tries); any other value is
# passed as the string it is. Errors map to kinds: "Failed to find a free TCP port" is
# runtime; every other error (stop(), stopifnot()) is usage, R's way of refusing input.

suppressPackageStartupMessages(library(port4me))

# JSON, as much as the requests hold (objects, strings, numbers; INTERPRETING 11.1). A
# malformed line is an R error, which ends the harness: the runner reports that call.
read_json <- function(line) {
  tokens <- regmatches(line, gregexpr('"(?:[^"\\\\]|\\\\.)*"|[][{}:,]|[^][{}:,"[:space:]]+', line, perl = TRUE))[[1]]
  at <- 0L
  value <- function() {
    at <<- at + 1L
    token <- tokens[[at]]
    if (token == "{" || token == "[") {
      result <- list()
      close <- if (token == "{") "}" else "]"
      if (tokens[[at + 1L]] == close) {
        at <<- at + 1L
        return(result)
      }
      repeat {
        if (token == "{") {
          name <- json_string(tokens[[at + 1L]])
          at <<- at + 2L  # the name and its colon
          result[name] <- list(value())
        } else {
          result[length(result) + 1L] <- list(value())
        }
        at <<- at + 1L
        if (tokens[[at]] == close) return(result)
      }
    }
    if (startsWith(token, '"')) return(json_string(token))
    switch(token, true = TRUE, false = FALSE, null = NULL, as.numeric(token))
  }
  value()
}

json_string <- function(token) {
  text <- substr(token, 2L, nchar(token) - 1L)
  if (!grepl("\\", text, fixed = TRUE)) return(text)
  parts <- regmatches(text, gregexpr("\\\\u[0-9a-fA-F]{4}|\\\\.|[^\\\\]+", text, perl = TRUE))[[1]]
  simple <- c(b = 8L, f = 12L, n = 10L, r = 13L, t = 9L, "\"" = 34L, "\\" = 92L, "/" = 47L)
  codes <- unlist(lapply(parts, function(part) {
    if (startsWith(part, "\\u")) strtoi(substring(part, 3L), 16L)
    else if (startsWith(part, "\\")) simple[[substring(part, 2L)]]
    else utf8ToInt(part)
  }))
  high <- which(codes >= 0xD800L & codes <= 0xDBFFL)  # a UTF-16 pair: one code point
  high <- high[high < length(codes) & codes[high + 1L] >= 0xDC00L & codes[high + 1L] <= 0xDFFFL]
  codes[high] <- 0x10000L + (codes[high] - 0xD800L) * 1024L + (codes[high + 1L] - 0xDC00L)
  if (length(high) > 0) codes <- codes[-(high + 1L)]
  intToUtf8(codes)
}

json_text <- function(text) {
  codes <- utf8ToInt(enc2utf8(text))
  if (anyNA(codes)) codes <- utf8ToInt(iconv(text, "UTF-8", "UTF-8", sub = "?"))
  chars <- intToUtf8(codes, multiple = TRUE)
  special <- codes < 32L | codes == 34L | codes == 92L
  chars[special] <- sprintf("\\u%04x", codes[special])
  paste0('"', paste(chars, collapse = ""), '"')
}

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

# An answer line; a port that is NA is written null, which breaks the protocol, as it should.
answer_line <- function(seq, answer) {
  seq <- format(seq, scientific = FALSE)
  if (!is.null(answer$ports)) {
    ports <- ifelse(is.na(answer$ports), "null", as.character(answer$ports))
    return(sprintf('{"seq":%s,"ports":[%s]}', seq, paste(ports, collapse = ",")))
  }
  if (!is.null(answer$free)) return(sprintf('{"seq":%s,"free":%s}', seq, if (answer$free) "true" else "false"))
  sprintf('{"seq":%s,"error":{"kind":"%s","message":%s}}', seq, answer$error$kind, json_text(answer$error$message))
}

describe_line <- function() {
  fields <- c(
    name = "port4me (upstream, R)",
    version = as.character(utils::packageVersion("port4me")),
    language = "R",
    language_version = paste(R.version$major, R.version$minor, sep = "."),
    homepage = "https://github.com/HenrikBengtsson/port4me",
    issues = "https://github.com/HenrikBengtsson/port4me/issues",
    notes = "errors: 'Failed to find a free TCP port' -> runtime; any other R error -> usage"
  )
  pairs <- paste0(vapply(names(fields), json_text, ""), ":", vapply(fields, json_text, ""), collapse = ",")
  sprintf('{"seq":0,"protocol":"1.0","implementation":{%s,"interfaces":["library"]}}', pairs)
}

input <- file("stdin", open = "r")
output <- stdout()
sink(stderr())  # what port4me() prints goes to stderr, never into the answers
repeat {
  line <- readLines(input, n = 1L, warn = FALSE, encoding = "UTF-8")
  if (length(line) == 0L) break
  request <- read_json(line)
  if (identical(request$op, "stop")) break
  reply <- if (identical(request$op, "hello")) {
    describe_line()
  } else {
    answer_line(request$seq, call_library(request$settings, request$env))
  }
  writeLines(enc2utf8(reply), output, useBytes = TRUE)
  flush(output)
}
quit(save = "no", status = 0L)
