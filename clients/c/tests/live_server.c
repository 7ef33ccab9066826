/* Our own `authrpc serve` processes for the interop tests (see live_server.h). */
#define _POSIX_C_SOURCE 200809L

#include "live_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

extern char **environ;

static char mint_dir[64];

uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("free_port");
        exit(2);
    }
    close(fd);
    return ntohs(addr.sin_port);
}

static const char *env_bin(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

const char *live_mint(void)
{
    const char *bin = env_bin("AUTHRPC_BIN");
    if (!bin) bin = env_bin("AUTHRPC_TLS_BIN");
    if (!bin) return NULL;
    if (mint_dir[0]) return mint_dir;
    snprintf(mint_dir, sizeof mint_dir, "/tmp/authrpc-c-live-XXXXXX");
    if (!mkdtemp(mint_dir)) {
        perror("mkdtemp");
        exit(2);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' bench mint --out '%s' --count 64 >/dev/null", bin, mint_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "interop: %s failed\n", cmd);
        exit(2);
    }
    return mint_dir;
}

char *live_token(const char *file, int index)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", mint_dir, file);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = -1;
    for (int i = 0; i <= index; i++)
        if ((n = getline(&line, &cap, f)) < 0) break;
    fclose(f);
    if (n <= 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    return line;
}

/* In the child: drop the outer COGNITO_* / AUTHRPC_* settings (moto's, the test
 * runner's), then apply server.env and the extras. */
static void child_env(uint16_t port, const char *const *extra)
{
    for (int again = 1; again;) {
        again = 0;
        for (char **e = environ; *e; e++) {
            if (strncmp(*e, "COGNITO_", 8) == 0 || strncmp(*e, "AUTHRPC_", 8) == 0) {
                char name[128];
                size_t k = strcspn(*e, "=");
                snprintf(name, sizeof name, "%.*s", (int)k, *e);
                unsetenv(name);
                again = 1;
                break;
            }
        }
    }
    char path[128], line[1024];
    snprintf(path, sizeof path, "%s/server.env", mint_dir);
    FILE *f = fopen(path, "r");
    if (!f) _exit(120);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq || line[0] == '#') continue;
        *eq = '\0';
        setenv(line, eq + 1, 1);
    }
    fclose(f);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", (unsigned)port);
    setenv("AUTHRPC_LISTEN", listen, 1);
    setenv("AUTHRPC_ADMIN_LISTEN", "", 1);
    setenv("AUTHRPC_LOG_LEVEL", "warning", 1);
    setenv("AUTHRPC_SHUTDOWN_GRACE_S", "2", 1);
    for (size_t i = 0; extra && extra[i]; i++) {
        char kv[512];
        snprintf(kv, sizeof kv, "%s", extra[i]);
        char *eq = strchr(kv, '=');
        if (!eq) continue;
        *eq = '\0';
        setenv(kv, eq + 1, 1);
    }
}

int live_start(live_server *s, uint16_t port, const char *const *extra)
{
    const char *bin = s->bin ? s->bin : env_bin("AUTHRPC_BIN");
    if (!bin || !live_mint()) return -1;
    s->port = port ? port : free_port();
    snprintf(s->log, sizeof s->log, "%s/server-%u.log", mint_dir, (unsigned)s->port);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
#ifdef __linux__
        /* A test that crashes must not leave servers behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(0);
#endif
        child_env(s->port, extra);
        int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(bin, bin, "serve", (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    return 0;
}

int live_wait(live_server *s, authrpc_err (*open_client)(uint16_t port, authrpc_conn **c),
              int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            return -1;
        }
        authrpc_conn *c = NULL;
        if (open_client(s->port, &c) == AUTHRPC_OK) {
            authrpc_response *r = NULL;
            authrpc_err err = authrpc_health(c, &r);
            authrpc_response_free(r);
            authrpc_close(c);
            if (err == AUTHRPC_OK) return 0;
        }
        nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
    }
    return -1;
}

/* 1 when every thread of pid is stopped: kill(SIGSTOP) returns before they all are,
 * and a request sent in between may still be answered. */
static int all_stopped(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    DIR *d = opendir(path);
    if (!d) return 1;
    int stopped = 1;
    for (struct dirent *e; stopped && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        char stat[384], buf[512];
        snprintf(stat, sizeof stat, "%s/%s/stat", path, e->d_name);
        FILE *f = fopen(stat, "r");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *close_paren = strrchr(buf, ')'); /* "tid (comm) STATE ..." */
        stopped = close_paren && (close_paren[2] == 'T' || close_paren[2] == 't');
    }
    closedir(d);
    return stopped;
}

void live_signal(live_server *s, int sig)
{
    if (s->pid <= 0) return;
    kill(s->pid, sig);
    if (sig == SIGSTOP) {
        for (int i = 0; i < 200 && !all_stopped(s->pid); i++)
            nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
        return;
    }
    if (sig == SIGCONT) return;
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

void live_dump_log(const live_server *s)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "tail -20 '%s' >&2", s->log);
    if (system(cmd) != 0) fprintf(stderr, "(no log at %s)\n", s->log);
}

void live_cleanup(void)
{
    if (!mint_dir[0]) return;
    if (getenv("KEEP_LOGS")) {
        printf("interop c: logs kept in %s\n", mint_dir);
        return;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", mint_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", mint_dir);
    mint_dir[0] = '\0';
}
