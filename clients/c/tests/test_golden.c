/*
 * Golden frames (Tests/golden): for every frame in manifest.json,
 *   decode: the .bin's length prefix is right, protobuf-c unpacks the body, and
 *           every field equals the manifest's value (absent = default);
 *   encode: a message built from the manifest's values packs to the same bytes.
 * Messages are built and compared by walking protobuf-c's descriptors, so a new
 * manifest entry needs no new C. Includes a minimal JSON reader for the manifest.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authrpc.h"
#include "test_util.h"

/* ---- a minimal JSON reader (enough for manifest.json) ------------------------ */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct json {
    int type;
    int boolean;
    double num;
    char *str;           /* J_STR (NUL-terminated UTF-8) */
    size_t n;            /* J_ARR / J_OBJ */
    struct json **items; /* values */
    char **keys;         /* J_OBJ keys */
} json;

static void json_free(json *j)
{
    if (!j) return;
    for (size_t i = 0; i < j->n; i++) {
        json_free(j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    free(j);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

static void put_utf8(char **out, unsigned cp)
{
    char *o = *out;
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    *out = o;
}

static char *parse_string(const char **pp)
{
    const char *p = *pp + 1; /* after the quote */
    size_t cap = strlen(p) + 1;
    char *s = malloc(cap), *o = s;
    REQUIRE(s);
    while (*p && *p != '"') {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': *o++ = '\n'; p++; break;
        case 't': *o++ = '\t'; p++; break;
        case 'r': *o++ = '\r'; p++; break;
        case 'b': *o++ = '\b'; p++; break;
        case 'f': *o++ = '\f'; p++; break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[5]){ p[1], p[2], p[3], p[4], 0 }, NULL, 16);
            p += 5;
            if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo = (unsigned)strtoul((char[5]){ p[2], p[3], p[4], p[5], 0 }, NULL, 16);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            put_utf8(&o, cp);
            break;
        }
        default: *o++ = *p++; break; /* \" \\ \/ */
        }
    }
    REQUIRE(*p == '"');
    *o = 0;
    *pp = p + 1;
    return s;
}

static json *parse_value(const char **pp);

static void push(json *j, json *item, char *key)
{
    j->items = realloc(j->items, (j->n + 1) * sizeof *j->items);
    REQUIRE(j->items);
    if (j->type == J_OBJ) {
        j->keys = realloc(j->keys, (j->n + 1) * sizeof *j->keys);
        REQUIRE(j->keys);
        j->keys[j->n] = key;
    }
    j->items[j->n++] = item;
}

static json *parse_value(const char **pp)
{
    const char *p = skip_ws(*pp);
    json *j = calloc(1, sizeof *j);
    REQUIRE(j);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        j->type = *p == '{' ? J_OBJ : J_ARR;
        p = skip_ws(p + 1);
        while (*p != close) {
            char *key = NULL;
            if (j->type == J_OBJ) {
                REQUIRE(*p == '"');
                key = parse_string(&p);
                p = skip_ws(p);
                REQUIRE(*p == ':');
                p++;
            }
            push(j, parse_value(&p), key);
            p = skip_ws(p);
            if (*p == ',') p = skip_ws(p + 1);
        }
        p++;
    } else if (*p == '"') {
        j->type = J_STR;
        j->str = parse_string(&p);
    } else if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
        j->type = J_BOOL;
        j->boolean = *p == 't';
        p += j->boolean ? 4 : 5;
    } else if (strncmp(p, "null", 4) == 0) {
        p += 4;
    } else {
        char *end;
        j->type = J_NUM;
        j->num = strtod(p, &end);
        REQUIRE(end != p);
        p = end;
    }
    *pp = p;
    return j;
}

static const json *get(const json *obj, const char *key)
{
    for (size_t i = 0; obj && obj->type == J_OBJ && i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
    return NULL;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap + 1);
    REQUIRE(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            buf = realloc(buf, (cap *= 2) + 1);
            REQUIRE(buf);
        }
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- descriptor-driven build and compare -------------------------------------- */

#define AT(msg, off) ((char *)(msg) + (off))

/* The message descriptor of a message field (f->descriptor is a void pointer). */
static const ProtobufCMessageDescriptor *sub(const ProtobufCFieldDescriptor *f)
{
    return f->descriptor;
}

static int is_map(const ProtobufCFieldDescriptor *f)
{
    if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label != PROTOBUF_C_LABEL_REPEATED) return 0;
    const ProtobufCMessageDescriptor *d = sub(f);
    size_t len = strlen(d->name);
    return len > 5 && strcmp(d->name + len - 5, "Entry") == 0 && d->n_fields == 2;
}

static int enum_value(const ProtobufCFieldDescriptor *f, const json *v)
{
    REQUIRE(v->type == J_STR);
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, v->str);
    REQUIRE(e);
    return e->value;
}

static ProtobufCMessage *build(const ProtobufCMessageDescriptor *d, const json *obj);

/* Writes one scalar / string / message value into *dst. */
static void set_value(const ProtobufCFieldDescriptor *f, void *dst, const json *v)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        REQUIRE(v->type == J_STR);
        *(uint64_t *)dst = strtoull(v->str, NULL, 10);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        REQUIRE(v->type == J_STR);
        *(int64_t *)dst = strtoll(v->str, NULL, 10);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        REQUIRE(v->type == J_NUM);
        *(uint32_t *)dst = (uint32_t)v->num;
        break;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        REQUIRE(v->type == J_NUM);
        *(int32_t *)dst = (int32_t)v->num;
        break;
    case PROTOBUF_C_TYPE_BOOL:
        REQUIRE(v->type == J_BOOL);
        *(protobuf_c_boolean *)dst = v->boolean;
        break;
    case PROTOBUF_C_TYPE_ENUM:
        *(int *)dst = enum_value(f, v);
        break;
    case PROTOBUF_C_TYPE_STRING:
        REQUIRE(v->type == J_STR);
        *(char **)dst = strdup(v->str);
        REQUIRE(*(char **)dst);
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        *(ProtobufCMessage **)dst = build(f->descriptor, v);
        break;
    default:
        REQUIRE(!"field type not used by authrpc.proto");
    }
}

static size_t elem_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        return 8;
    case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    default:
        return 4;
    }
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A heap message (every part malloc'd) freed by protobuf_c_message_free_unpacked. */
static ProtobufCMessage *build(const ProtobufCMessageDescriptor *d, const json *obj)
{
    REQUIRE(obj && obj->type == J_OBJ);
    ProtobufCMessage *m = calloc(1, d->sizeof_message);
    REQUIRE(m);
    protobuf_c_message_init(d, m);
    for (size_t k = 0; k < obj->n; k++) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, obj->keys[k]);
        if (!f) {
            fprintf(stderr, "manifest: %s has no field %s\n", d->name, obj->keys[k]);
            exit(1);
        }
        const json *v = obj->items[k];
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = v->n;
            void *arr = calloc(n ? n : 1, elem_size(f));
            REQUIRE(arr);
            if (is_map(f)) {
                /* Entries sorted by key: deterministic serialization's order. */
                REQUIRE(v->type == J_OBJ);
                char **keys = malloc((n ? n : 1) * sizeof *keys);
                REQUIRE(keys);
                memcpy(keys, v->keys, n * sizeof *keys);
                qsort(keys, n, sizeof *keys, cmp_keys);
                for (size_t i = 0; i < n; i++) {
                    ProtobufCMessage *e = calloc(1, sub(f)->sizeof_message);
                    REQUIRE(e);
                    protobuf_c_message_init(sub(f), e);
                    json key = { J_STR, 0, 0, keys[i], 0, NULL, NULL };
                    set_value(&sub(f)->fields[0], AT(e, sub(f)->fields[0].offset), &key);
                    set_value(&sub(f)->fields[1], AT(e, sub(f)->fields[1].offset), get(v, keys[i]));
                    ((ProtobufCMessage **)arr)[i] = e;
                }
                free(keys);
            } else {
                REQUIRE(v->type == J_ARR);
                for (size_t i = 0; i < n; i++)
                    set_value(f, (char *)arr + i * elem_size(f), v->items[i]);
            }
            *(size_t *)AT(m, f->quantifier_offset) = n;
            *(void **)AT(m, f->offset) = arr;
        } else {
            set_value(f, AT(m, f->offset), v);
            if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                *(uint32_t *)AT(m, f->quantifier_offset) = f->id;
        }
    }
    return m;
}

static int check_message(const char *where, const ProtobufCMessage *m, const json *obj);

/* Compares one decoded value with the manifest's (v NULL: the default). */
static int check_value(const char *where, const ProtobufCFieldDescriptor *f, const void *src,
                       const json *v)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
        return *(const uint64_t *)src == (v ? strtoull(v->str, NULL, 10) : 0);
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        return *(const int64_t *)src == (v ? strtoll(v->str, NULL, 10) : 0);
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        return *(const uint32_t *)src == (v ? (uint32_t)v->num : 0);
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        return *(const int32_t *)src == (v ? (int32_t)v->num : 0);
    case PROTOBUF_C_TYPE_BOOL:
        return !!*(const protobuf_c_boolean *)src == (v ? v->boolean : 0);
    case PROTOBUF_C_TYPE_ENUM:
        return *(const int *)src == (v ? enum_value(f, v) : 0);
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)src;
        return s && strcmp(s, v ? v->str : "") == 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)src;
        if (!v) return sub == NULL;
        return sub && check_message(where, sub, v);
    }
    default:
        return 0;
    }
}

static int check_message(const char *where, const ProtobufCMessage *m, const json *obj)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    int ok = 1;
    for (size_t k = 0; obj && k < obj->n; k++)
        if (!protobuf_c_message_descriptor_get_field_by_name(d, obj->keys[k])) {
            fprintf(stderr, "%s: %s has no field %s\n", where, d->name, obj->keys[k]);
            ok = 0;
        }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const json *v = get(obj, f->name);
        int same;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)AT(m, f->quantifier_offset);
            const void *arr = *(void *const *)AT(m, f->offset);
            same = n == (v ? v->n : 0);
            for (size_t j = 0; same && j < n; j++) {
                if (is_map(f)) {
                    const ProtobufCMessage *e = ((ProtobufCMessage *const *)arr)[j];
                    const char *key = *(char *const *)AT(e, sub(f)->fields[0].offset);
                    const json *want = get(v, key);
                    same = want && check_value(where, &sub(f)->fields[1],
                                               AT(e, sub(f)->fields[1].offset), want);
                } else {
                    same = check_value(where, f, (const char *)arr + j * elem_size(f), v->items[j]);
                }
            }
        } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *)AT(m, f->quantifier_offset);
            same = v ? which == f->id && check_value(where, f, AT(m, f->offset), v) : which != f->id;
        } else {
            same = check_value(where, f, AT(m, f->offset), v);
        }
        if (!same) {
            fprintf(stderr, "%s: field %s.%s differs from the manifest\n", where, d->name, f->name);
            ok = 0;
        }
    }
    return ok;
}

/* ---- the test ---------------------------------------------------------------- */

static const ProtobufCMessageDescriptor *descriptor_for(const char *type)
{
    if (strcmp(type, "authrpc.v1.Request") == 0) return &authrpc__v1__request__descriptor;
    if (strcmp(type, "authrpc.v1.Response") == 0) return &authrpc__v1__response__descriptor;
    return NULL;
}

static void check_frame(const char *dir, const json *entry)
{
    const char *name = get(entry, "name")->str;
    const ProtobufCMessageDescriptor *d = descriptor_for(get(entry, "type")->str);
    REQUIRE(d);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, get(entry, "file")->str);
    size_t len = 0;
    unsigned char *frame = read_file(path, &len);
    if (!frame) {
        fprintf(stderr, "%s: cannot read %s\n", name, path);
        test_failures++;
        return;
    }
    CHECK(len >= 4);
    uint32_t n = (uint32_t)frame[0] << 24 | (uint32_t)frame[1] << 16 | (uint32_t)frame[2] << 8 | frame[3];
    CHECK(n == len - 4);

    /* decode -> equal */
    ProtobufCMessage *decoded = protobuf_c_message_unpack(d, NULL, len - 4, frame + 4);
    CHECK(decoded != NULL);
    if (decoded) {
        if (!check_message(name, decoded, get(entry, "message"))) test_failures++;
        protobuf_c_message_free_unpacked(decoded, NULL);
    }

    /* encode -> identical bytes */
    ProtobufCMessage *built = build(d, get(entry, "message"));
    size_t size = protobuf_c_message_get_packed_size(built);
    unsigned char *packed = malloc(size + 1);
    REQUIRE(packed);
    CHECK(protobuf_c_message_pack(built, packed) == size);
    if (size != len - 4 || memcmp(packed, frame + 4, size) != 0) {
        fprintf(stderr, "%s: protobuf-c encoding differs from %s\n", name, path);
        test_failures++;
    }
    free(packed);
    protobuf_c_message_free_unpacked(built, NULL);
    free(frame);
}

int main(void)
{
    const char *dir = getenv("GOLDEN_DIR");
    if (!dir) dir = "../../Tests/golden";
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    size_t len;
    char *text = (char *)read_file(path, &len);
    if (!text) {
        fprintf(stderr, "cannot read %s (set GOLDEN_DIR)\n", path);
        return 1;
    }
    const char *p = text;
    json *manifest = parse_value(&p);
    const json *frames = get(manifest, "frames");
    REQUIRE(frames && frames->type == J_ARR && frames->n > 0);
    for (size_t i = 0; i < frames->n; i++) check_frame(dir, frames->items[i]);
    printf("test_golden: %zu frames, %d failure(s)\n", frames->n, test_failures);
    json_free(manifest);
    free(text);
    return test_failures ? 1 : 0;
}
