// libedit's readline interface (libedit-dev). Never <readline/readline.h>: GNU readline's headers
// may be installed too. Variadic and global-writing parts are wrapped in static inline functions.
#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>

typedef char **(*smear_completion_fn)(const char *, int, int);

static inline void smear_set_completion(smear_completion_fn f) { rl_attempted_completion_function = f; }
static inline void smear_disable_default_completion(void) { rl_completion_append_character = '\0'; }
static inline const char *smear_line_buffer(void) { return rl_line_buffer; }
static inline char **smear_completion_matches(const char *text, char *(*generator)(const char *, int)) {
    return rl_completion_matches(text, generator);
}
