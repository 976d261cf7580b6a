#!/usr/bin/env python3
"""Run a CI template's jobs locally, as far as they are shell.

usage: ci-local.py TEMPLATE WORKDIR

The jobs run in order (GitHub: needs; GitLab: stages), every matrix or
parallel instance, their run:/before_script:/script: lines through sh
with the CI's variables set. What is not shell is emulated: a checkout
is a copy of the lab's files; artifacts are copied out of a job and into
the jobs after it (GitLab: at their path, which two jobs must not share;
GitHub: download-artifact puts each under its name); a dotenv report
feeds its variables to later jobs; a cache is the host's CACHE_DIR (so
no kernel is built) and its key must expand to what make print-cache-key
prints. apt-get lines are not run: the packages they name must be
installed (the merge job's list is what merging needs). Test and merge
jobs use the lab's own workspace copies: the test jobs share one (their
builds are reused), the merge job gets a fresh one holding only the
artifacts. TESTS from the environment keeps the runs small.
Prints one line per job; exit 0 if every job succeeded.
"""

import itertools
import os
import re
import shutil
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST_CACHE = os.environ.get("CACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ipclab")


def checkout(dest):
    """The lab's files (tracked and new, not ignored) copied to DEST."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-co", "--exclude-standard", "-z"],
                           check=True, capture_output=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = os.path.join(TOP, f.decode())
        if not os.path.isfile(src):
            continue
        dst = os.path.join(dest, f.decode())
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)


def apt_line(cmd):
    """The packages an apt-get install line names, or None."""
    if "apt-get" not in cmd:
        return None
    pkgs = []
    for part in re.split(r"&&|;", cmd):
        words = part.split()
        if "install" in words:
            pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.stdout.endswith("install ok installed")


class Runner:
    def __init__(self, workdir):
        self.workdir = workdir
        self.artifacts = os.path.join(workdir, "artifacts")
        os.makedirs(self.artifacts, exist_ok=True)
        self.passed = 0
        self.failed = 0
        self.log = os.path.join(workdir, "jobs.log")
        open(self.log, "w").close()

    def sh(self, cmd, cwd, env):
        pkgs = apt_line(cmd)
        if pkgs is not None:
            missing = [p for p in pkgs if not installed(p)]
            if missing:
                return 1, "apt-get line names packages not installed here: " + " ".join(missing)
            return 0, ""
        with open(self.log, "a") as log:
            log.write("$ " + cmd + "\n")
            log.flush()
            r = subprocess.run(["sh", "-e", "-c", cmd], cwd=cwd, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
        return r.returncode, "exit %d: %s" % (r.returncode, cmd[:100])

    def report(self, name, problem):
        if problem:
            print("not ok - %s: %s (log: %s)" % (name, problem, self.log))
            self.failed += 1
        else:
            print("ok - %s" % name)
            self.passed += 1
        sys.stdout.flush()


def base_env(extra):
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(k, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


# --- GitHub Actions ---------------------------------------------------------

def gh_expr(text, ctx):
    def sub(m):
        expr = m.group(1).strip()
        if expr in ctx:
            return ctx[expr]
        raise KeyError("unknown expression ${{ %s }}" % expr)
    return re.sub(r"\$\{\{([^}]*)\}\}", sub, text)


def github(doc, r):
    jobs = doc["jobs"]
    done = []
    order = []
    while len(order) < len(jobs):
        for name, job in jobs.items():
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            if name not in order and all(n in order for n in needs):
                order.append(name)
    for name in order:
        job = jobs[name]
        container = job.get("container", {})
        if isinstance(container, dict) and name == "test":
            if "--device /dev/kvm" not in str(container.get("options", "")):
                r.report("github %s" % name, "the container gets no --device /dev/kvm")
        matrix = job.get("strategy", {}).get("matrix", {})
        keys = list(matrix)
        combos = list(itertools.product(*[matrix[k] for k in keys])) or [()]
        ws = os.path.join(r.workdir, "gh-" + name)
        fresh = True
        for index, combo in enumerate(combos):
            ctx = {"matrix.%s" % k: str(v) for k, v in zip(keys, combo)}
            ctx["strategy.job-index"] = str(index)
            label = "github %s%s" % (name, " [%s]" % ", ".join(ctx[k] for k in sorted(ctx)
                                                                if k.startswith("matrix.")) if keys else "")
            env = {k: str(v).replace("/github/home", os.path.expanduser("~"))
                   for k, v in job.get("env", {}).items()}
            env["CACHE_DIR"] = HOST_CACHE
            outputs = os.path.join(r.workdir, "github-output")
            problem = ""
            failed = False
            for step in job["steps"]:
                always = "always()" in str(step.get("if", ""))
                if failed and not always:
                    continue
                open(outputs, "w").close()
                if "run" in step:
                    try:
                        cmd = gh_expr(step["run"], ctx)
                    except KeyError as e:
                        problem = str(e)
                        failed = True
                        continue
                    rc, why = r.sh(cmd, ws, base_env(dict(env, GITHUB_OUTPUT=outputs)))
                    if rc:
                        failed = True
                        problem = problem or why
                    if "id" in step:
                        for line in open(outputs):
                            k, _, v = line.rstrip("\n").partition("=")
                            ctx["steps.%s.outputs.%s" % (step["id"], k)] = v
                    continue
                uses = step["uses"].split("@")[0]
                w = {k: gh_expr(str(v), ctx) for k, v in step.get("with", {}).items()}
                if uses == "actions/checkout":
                    if fresh:
                        checkout(ws)
                        fresh = False
                elif uses == "actions/cache":
                    # The key must be the print-cache-key line, not empty.
                    if not re.match(r"^ipclab-[\w.-]+-(min|grade|debug)-[0-9a-f]{10}$", w["key"]):
                        problem = problem or "cache key %r is not make print-cache-key's" % w["key"]
                        failed = True
                elif uses == "actions/upload-artifact":
                    dst = os.path.join(r.artifacts, "gh", w["name"])
                    if os.path.exists(dst):
                        problem = problem or "two jobs upload the artifact %s" % w["name"]
                        failed = True
                    src = os.path.join(ws, w["path"])
                    if os.path.isdir(src):
                        shutil.copytree(src, dst)
                elif uses == "actions/download-artifact":
                    src = os.path.join(r.artifacts, "gh")
                    if os.path.isdir(src):
                        shutil.copytree(src, os.path.join(ws, w["path"]), dirs_exist_ok=True)
                elif uses == "mikepenz/action-junit-report":
                    path = os.path.join(ws, w["report_paths"])
                    if not os.path.isfile(path) or subprocess.run(
                            ["xmllint", "--noout", path], capture_output=True).returncode:
                        problem = problem or "no valid JUnit report at %s" % w["report_paths"]
                        failed = True
            r.report(label, problem)
            done.append(label)


# --- GitLab CI ----------------------------------------------------------------

def gl_job(doc, name):
    job = dict(doc[name])
    if "extends" in job:
        parent = gl_job(doc, job.pop("extends"))
        parent.update(job)
        job = parent
    return job


def gl_expand(text, env):
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), text)


def gitlab(doc, r):
    stages = doc.get("stages", ["test"])
    jobs = [n for n, j in doc.items() if isinstance(j, dict) and not n.startswith(".")
            and ("script" in j or "extends" in j)]
    dotenv = {}
    paths_seen = {}
    test_ws = os.path.join(r.workdir, "gl-test")
    checkout(test_ws)
    for stage in stages:
        for name in jobs:
            job = gl_job(doc, name)
            if job.get("stage", "test") != stage:
                continue
            instances = [{}]
            par = job.get("parallel")
            if isinstance(par, int):
                instances = [{"CI_NODE_INDEX": str(i), "CI_NODE_TOTAL": str(par)}
                             for i in range(1, par + 1)]
            elif isinstance(par, dict):
                instances = []
                for m in par["matrix"]:
                    ks = list(m)
                    for combo in itertools.product(*[m[k] if isinstance(m[k], list) else [m[k]]
                                                     for k in ks]):
                        instances.append(dict(zip(ks, map(str, combo))))
            ws = test_ws
            if stage == stages[-1]:
                ws = os.path.join(r.workdir, "gl-" + name)
                checkout(ws)
                src = os.path.join(r.artifacts, "gl")
                if os.path.isdir(src):
                    shutil.copytree(src, ws, dirs_exist_ok=True)
            for inst in instances:
                label = "gitlab %s%s" % (name, " [%s]" % ", ".join(inst.values()) if inst else "")
                env = {k: str(v) for k, v in doc.get("variables", {}).items()}
                env.update({k: str(v) for k, v in job.get("variables", {}).items()})
                env.update(inst)
                env.update(dotenv)
                env["CI_PROJECT_DIR"] = ws
                env = {k: gl_expand(v, env) for k, v in env.items()}
                env["CACHE_DIR"] = HOST_CACHE
                problem = ""
                for cmd in job.get("before_script", []) + job.get("script", []):
                    rc, why = r.sh(cmd, ws, base_env(env))
                    if rc:
                        problem = why
                        break
                cache = job.get("cache")
                if cache and not problem:
                    key = gl_expand(str(cache.get("key")), env)
                    if not re.match(r"^ipclab-[\w.-]+-(min|grade|debug)-[0-9a-f]{10}$", key):
                        problem = "cache key %r is not make print-cache-key's" % key
                art = job.get("artifacts", {})
                rep = art.get("reports", {})
                if "dotenv" in rep:
                    path = os.path.join(ws, rep["dotenv"])
                    if os.path.isfile(path):
                        for line in open(path):
                            k, _, v = line.rstrip("\n").partition("=")
                            dotenv[k] = v
                        os.remove(path)
                for p in art.get("paths", []):
                    p = gl_expand(p, env)
                    if p in paths_seen:
                        problem = problem or "artifacts path %s of %s too" % (p, paths_seen[p])
                    paths_seen[p] = label
                    src = os.path.join(ws, p)
                    if os.path.isdir(src) and stage != stages[-1]:
                        shutil.copytree(src, os.path.join(r.artifacts, "gl", p), dirs_exist_ok=True)
                junit = rep.get("junit")
                if junit and not problem and stage == stages[-1]:
                    path = os.path.join(ws, gl_expand(junit, env))
                    if subprocess.run(["xmllint", "--noout", path], capture_output=True).returncode:
                        problem = "no valid JUnit report at %s" % junit
                r.report(label, problem)


def main():
    template, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    r = Runner(workdir)
    with open(template) as f:
        doc = yaml.safe_load(f)
    if "jobs" in doc:
        github(doc, r)
    else:
        gitlab(doc, r)
    sys.exit(1 if r.failed else 0)


if __name__ == "__main__":
    main()
