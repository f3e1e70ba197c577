/*
 * json.h -- request bodies are parsed with yajl's event parser straight
 * into entity structs, driven by field tables (no DOM), under the limits
 * of the settings: nesting depth, string length, array length.  Output is
 * written with yajl_gen: key order is the order of the emit calls, and the
 * *_kv helpers skip null values (reference §2.2).
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "fp.h"
#include "model.h"

struct arena;

enum ftype {
	F_STR,		/* const char * */
	F_BOOL,		/* bool */
	F_INT64,	/* int64_t, DB_NULL when absent/null */
	F_ENUM,		/* int stored value, DB_NULL_INT when absent/null */
	F_AUDIENCE,	/* like F_ENUM, null/FlexibilityProvider refused */
	F_DECIMAL,	/* const char * number text */
	F_STRARR,	/* struct meas: props JSON text + nprops */
	F_MEAS,		/* struct meas sub-object */
	F_PROPS		/* const char * JSON object text, secret taken out */
};

struct field {
	const char		*name;
	enum ftype		 type;
	size_t			 off;
	enum enumkind		 kind;		/* F_ENUM */
	const struct field	*sub;		/* F_MEAS */
	const char		*secret_off_name; /* unused marker */
};

struct jlimits {
	int	 depth;
	size_t	 string;
	size_t	 array;
	size_t	 mem;		/* arena bytes the parse may take */
};

/* Parse body into the struct at base described by fields (NULL-name
 * terminated).  F_PROPS fields store "oauth-client-secret" at
 * *secret (if secret is non-NULL).  On failure returns FP_EMALFORMED or
 * FP_EILLEGAL (r->detail set via *detail; a document needing more than
 * mem bytes is FP_EMALFORMED), or FP_ENOMEM when the arena runs out
 * first. */
enum fp_err	 json_parse(struct arena *, const struct jlimits *,
		    const unsigned char *, size_t, const struct field *,
		    void *base, const char **secret, const char **detail);

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF
 * (yajl's own check lets overlong forms through). */
bool		 json_utf8_ok(const unsigned char *, size_t);

/* Every \u escape of a UTF-16 surrogate in a JSON text is half of a
 * high-low pair (yajl turns a lone one into '?' or another character). */
bool		 json_escapes_ok(const unsigned char *, size_t);
#define JSON_ESCAPES_MSG \
	"Malformed JSON: unpaired UTF-16 surrogate in a \\u escape"

extern const struct field json_peer_fields[];
extern const struct field json_group_fields[];
extern const struct field json_asset_fields[];

/* json_emit.c */
void	json_key(yajl_gen, const char *);
void	json_str(yajl_gen, const char *);
void	json_int(yajl_gen, int64_t);
void	json_kv_str(yajl_gen, const char *, const char *);
void	json_kv_int(yajl_gen, const char *, int64_t);	/* DB_NULL skipped */
void	json_kv_bool(yajl_gen, const char *, bool);
void	json_kv_time(yajl_gen, const char *, int64_t);	/* DB_NULL skipped */
void	json_kv_enum(yajl_gen, const char *, enum enumkind, int);
void	json_kv_number(yajl_gen, const char *, const char *);
int	json_kv_raw(yajl_gen, const char *, const char *, const char *skip);
int	json_raw(yajl_gen, const char *json, const char *skip);
					/* copy JSON text, drop top key skip */

void	json_peer(yajl_gen, const struct peer *);
void	json_group(yajl_gen, const struct group *);
void	json_asset(yajl_gen, const struct asset *);

#endif /* JSON_H */
