/* Native kernel of the route timing (see routeopt/solver/_routes.py, the reference).
 *
 * Every function here answers exactly what the Python code of Timer answers:
 * the same integer arithmetic on the same values, in the same order. A kernel
 * holds the travel-time matrices (int64 buffers, kept by reference), the
 * service times and the start windows of every node on every window key.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

typedef long long i64;

typedef struct {
    Py_ssize_t n;       /* visit nodes (service, windows) */
    Py_ssize_t size;    /* matrix nodes (visits, then start and end places) */
    Py_ssize_t nmodes;
    Py_buffer *dur;     /* per mode: n x n int64 */
    Py_ssize_t ndays;
    i64 *service;       /* n */
    i64 *wstart;        /* ndays * n: offset (in windows) into wflat */
    i64 *wcount;        /* ndays * n: number of windows (0: closed) */
    i64 *wflat;         /* pairs lo, hi */
    Py_ssize_t nflat;
} Kernel;

typedef struct {
    i64 shift_start, end, bo, bl, bd, start_node, end_node;
} SlotP;

static void kernel_free(PyObject *cap) {
    Kernel *k = (Kernel *)PyCapsule_GetPointer(cap, "routeopt.kernel");
    if (k == NULL) return;
    for (Py_ssize_t m = 0; m < k->nmodes; m++) PyBuffer_Release(&k->dur[m]);
    PyMem_Free(k->dur);
    PyMem_Free(k->service);
    PyMem_Free(k->wstart);
    PyMem_Free(k->wcount);
    PyMem_Free(k->wflat);
    PyMem_Free(k);
}

static i64 *copy_i64(PyObject *obj, Py_ssize_t want, Py_ssize_t *got) {
    Py_buffer b;
    if (PyObject_GetBuffer(obj, &b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    if (b.itemsize != 8 || b.format == NULL || (b.format[0] != 'q' && b.format[0] != 'l')) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_TypeError, "expected an int64 buffer");
        return NULL;
    }
    Py_ssize_t len = b.len / 8;
    if (want >= 0 && len != want) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "buffer of the wrong size");
        return NULL;
    }
    i64 *out = (i64 *)PyMem_Malloc((size_t)(len > 0 ? len : 1) * sizeof(i64));
    if (out == NULL) {
        PyBuffer_Release(&b);
        PyErr_NoMemory();
        return NULL;
    }
    if (len) memcpy(out, b.buf, (size_t)len * sizeof(i64));
    PyBuffer_Release(&b);
    if (got) *got = len;
    return out;
}

/* make(durs: sequence of size x size int64 buffers, size, service, wstart, wcount, wflat,
 * ndays) */
static PyObject *k_make(PyObject *self, PyObject *args) {
    PyObject *durs, *service, *wstart, *wcount, *wflat;
    Py_ssize_t ndays, size;
    if (!PyArg_ParseTuple(args, "OnOOOOn", &durs, &size, &service, &wstart, &wcount, &wflat,
                          &ndays))
        return NULL;
    PyObject *seq = PySequence_Fast(durs, "durs must be a sequence");
    if (seq == NULL) return NULL;
    Kernel *k = (Kernel *)PyMem_Calloc(1, sizeof(Kernel));
    if (k == NULL) { Py_DECREF(seq); return PyErr_NoMemory(); }
    PyObject *cap = PyCapsule_New(k, "routeopt.kernel", kernel_free);
    if (cap == NULL) { PyMem_Free(k); Py_DECREF(seq); return NULL; }
    Py_ssize_t nm = PySequence_Fast_GET_SIZE(seq);
    k->dur = (Py_buffer *)PyMem_Calloc((size_t)(nm > 0 ? nm : 1), sizeof(Py_buffer));
    if (k->dur == NULL) { Py_DECREF(seq); Py_DECREF(cap); return PyErr_NoMemory(); }
    k->service = copy_i64(service, -1, &k->n);
    if (k->service == NULL) { Py_DECREF(seq); Py_DECREF(cap); return NULL; }
    k->size = size;
    if (size < k->n) {
        PyErr_SetString(PyExc_ValueError, "matrix smaller than the visits");
        Py_DECREF(seq); Py_DECREF(cap); return NULL;
    }
    for (Py_ssize_t m = 0; m < nm; m++) {
        Py_buffer *b = &k->dur[m];
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, m), b,
                               PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
            Py_DECREF(seq); Py_DECREF(cap); return NULL;
        }
        k->nmodes = m + 1;
        if (b->itemsize != 8 || b->format == NULL ||
            (b->format[0] != 'q' && b->format[0] != 'l') || b->len != 8 * size * size) {
            PyErr_SetString(PyExc_TypeError, "expected n x n int64 matrices");
            Py_DECREF(seq); Py_DECREF(cap); return NULL;
        }
    }
    Py_DECREF(seq);
    k->ndays = ndays;
    k->wstart = copy_i64(wstart, ndays * k->n, NULL);
    if (k->wstart == NULL) { Py_DECREF(cap); return NULL; }
    k->wcount = copy_i64(wcount, ndays * k->n, NULL);
    if (k->wcount == NULL) { Py_DECREF(cap); return NULL; }
    k->wflat = copy_i64(wflat, -1, &k->nflat);
    if (k->wflat == NULL) { Py_DECREF(cap); return NULL; }
    return cap;
}

/* -- the timing, as in Timer ------------------------------------------------------- */
static inline i64 first_start(const Kernel *k, Py_ssize_t day, i64 node, i64 t) {
    Py_ssize_t ix = day * k->n + node;
    const i64 *w = k->wflat + 2 * k->wstart[ix];
    i64 c = k->wcount[ix];
    for (i64 j = 0; j < c; j++) {
        i64 lo = w[2 * j], hi = w[2 * j + 1];
        if (t <= hi) return t < lo ? lo : t;
    }
    return -1;
}

/* Timer._step; returns 0 (None) or 1 and sets the departure and taken. */
static inline int step(const Kernel *k, Py_ssize_t day, const SlotP *sp, i64 t, int taken,
                       i64 node, i64 tt, i64 *dep, int *now_taken) {
    i64 svc = k->service[node];
    if (taken || sp->bo < 0) {
        i64 s = first_start(k, day, node, t + tt);
        if (s < 0) return 0;
        *dep = s + svc;
        *now_taken = 1;
        return 1;
    }
    i64 bs = t > sp->bo ? t : sp->bo;
    i64 s_defer = first_start(k, day, node, t + tt);
    int must_now = s_defer < 0 || s_defer + svc > sp->bl;
    if (bs <= sp->bl) {
        i64 s_now = first_start(k, day, node, bs + sp->bd + tt);
        if (s_now >= 0 && (must_now || s_now == s_defer)) {
            *dep = s_now + svc;
            *now_taken = 1;
            return 1;
        }
    }
    if (must_now) return 0;
    *dep = s_defer + svc;
    *now_taken = 0;
    return 1;
}

static inline int home(const SlotP *sp, i64 t, int taken, i64 tt) {
    i64 back;
    if (taken || sp->bo < 0 || t + tt <= sp->bo) {
        back = t + tt;
    } else {
        i64 bs = t > sp->bo ? t : sp->bo;
        if (bs > sp->bl) return 0;
        back = bs + sp->bd + tt;
    }
    return back <= sp->end;
}

/* The route and its schedule, read lazily from the Python objects. */
typedef struct {
    PyObject *seq, *dep_before, *taken_before, *arrival, *slack;
    Py_ssize_t len;
    i64 back, fast_from;
    int exact;
} Route;

#define GET(tup, i) PyLong_AsLongLong(PySequence_Fast_GET_ITEM((tup), (i)))

/* Timer.can_insert: 1 yes, 0 no, -1 error. */
static int can_insert(const Kernel *k, const i64 *d, Py_ssize_t day, const SlotP *sp,
                      const Route *r, i64 node, Py_ssize_t g) {
    const Py_ssize_t n = k->size;
    i64 prev = g > 0 ? GET(r->seq, g - 1) : sp->start_node;
    i64 t = GET(r->dep_before, g);
    if (g >= r->fast_from) {
        i64 s = first_start(k, day, node, t + d[prev * n + node]);
        if (s < 0) return 0;
        i64 dep = s + k->service[node];
        i64 late;
        if (g < r->len) late = dep + d[node * n + GET(r->seq, g)] - GET(r->arrival, g);
        else late = dep + d[node * n + sp->end_node] - r->back;
        if (late <= GET(r->slack, g)) return 1;
        if (r->exact) return 0;
    }
    int taken = PyObject_IsTrue(PySequence_Fast_GET_ITEM(r->taken_before, g));
    i64 dep;
    int now;
    if (!step(k, day, sp, t, taken, node, d[prev * n + node], &dep, &now)) return 0;
    t = dep;
    taken = now;
    prev = node;
    for (Py_ssize_t j = g; j < r->len; j++) {
        i64 nxt = GET(r->seq, j);
        if (!step(k, day, sp, t, taken, nxt, d[prev * n + nxt], &dep, &now)) return 0;
        t = dep;
        taken = now;
        if (t == GET(r->dep_before, j + 1) &&
            taken == PyObject_IsTrue(PySequence_Fast_GET_ITEM(r->taken_before, j + 1)))
            return 1;
        prev = nxt;
    }
    return home(sp, t, taken, d[prev * n + sp->end_node]);
}

/* Arguments shared by the entry points:
 * kernel, mode, day, (shift_start, end, break_open, break_late, break_dur, start, end node),
 * seq, dep_before, taken_before, arrival, back, slack, fast_from, exact, node */
#define NFIXED 15

static int parse(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t want, Kernel **k,
                 const i64 **d, Py_ssize_t *day, SlotP *sp, Route *r, i64 *node) {
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "expected %zd arguments", want);
        return -1;
    }
    *k = (Kernel *)PyCapsule_GetPointer(args[0], "routeopt.kernel");
    if (*k == NULL) return -1;
    Py_ssize_t m = PyLong_AsSsize_t(args[1]);
    *day = PyLong_AsSsize_t(args[2]);
    if (PyErr_Occurred()) return -1;
    if (m < 0 || m >= (*k)->nmodes || *day < 0 || *day >= (*k)->ndays) {
        PyErr_SetString(PyExc_IndexError, "mode or day out of range");
        return -1;
    }
    *d = (const i64 *)(*k)->dur[m].buf;
    i64 v[7];
    for (int j = 0; j < 7; j++) v[j] = PyLong_AsLongLong(args[3 + j]);
    sp->shift_start = v[0]; sp->end = v[1]; sp->bo = v[2]; sp->bl = v[3]; sp->bd = v[4];
    sp->start_node = v[5]; sp->end_node = v[6];
    r->seq = args[10];
    r->dep_before = args[11];
    r->taken_before = args[12];
    r->arrival = args[13];
    r->back = PyLong_AsLongLong(args[14]);
    r->slack = args[15];
    r->fast_from = PyLong_AsLongLong(args[16]);
    r->exact = PyObject_IsTrue(args[17]);
    *node = PyLong_AsLongLong(args[18]);
    if (PyErr_Occurred()) return -1;
    if (!PyList_Check(r->seq) || !PyTuple_Check(r->dep_before) ||
        !PyTuple_Check(r->taken_before) || !PyTuple_Check(r->arrival) ||
        !PyTuple_Check(r->slack)) {
        PyErr_SetString(PyExc_TypeError, "seq must be a list and the schedule tuples");
        return -1;
    }
    r->len = PyList_GET_SIZE(r->seq);
    Py_ssize_t n = (*k)->n, size = (*k)->size;
    if (*node < 0 || *node >= n || sp->start_node < 0 || sp->start_node >= size ||
        sp->end_node < 0 || sp->end_node >= size) {
        PyErr_SetString(PyExc_IndexError, "node out of range");
        return -1;
    }
    if (PyTuple_GET_SIZE(r->dep_before) < r->len + 1 ||
        PyTuple_GET_SIZE(r->taken_before) < r->len + 1 ||
        PyTuple_GET_SIZE(r->arrival) < r->len ||
        (r->fast_from <= r->len && PyTuple_GET_SIZE(r->slack) < r->len + 1)) {
        PyErr_SetString(PyExc_ValueError, "schedule shorter than the route");
        return -1;
    }
    for (Py_ssize_t j = 0; j < r->len; j++) {
        i64 x = GET(r->seq, j);
        if (x < 0 || x >= n) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "node out of range");
            return -1;
        }
    }
    return 0;
}
#define NARGS 19

/* can_insert(..., node, g) -> bool */
static PyObject *k_can_insert(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Kernel *k; const i64 *d; Py_ssize_t day; SlotP sp; Route r; i64 node;
    if (parse(args, nargs, NARGS + 1, &k, &d, &day, &sp, &r, &node) < 0) return NULL;
    Py_ssize_t g = PyLong_AsSsize_t(args[NARGS]);
    if (g == -1 && PyErr_Occurred()) return NULL;
    if (g < 0 || g > r.len) {
        PyErr_SetString(PyExc_IndexError, "position out of range");
        return NULL;
    }
    int ok = can_insert(k, d, day, &sp, &r, node, g);
    if (ok < 0 || PyErr_Occurred()) return NULL;
    return PyBool_FromLong(ok);
}

/* first_fit(..., node, positions) -> index of the first position where node fits, or -1 */
static PyObject *k_first_fit(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Kernel *k; const i64 *d; Py_ssize_t day; SlotP sp; Route r; i64 node;
    if (parse(args, nargs, NARGS + 1, &k, &d, &day, &sp, &r, &node) < 0) return NULL;
    PyObject *gs = args[NARGS];
    if (!PyList_Check(gs)) {
        PyErr_SetString(PyExc_TypeError, "positions must be a list");
        return NULL;
    }
    Py_ssize_t m = PyList_GET_SIZE(gs);
    for (Py_ssize_t j = 0; j < m; j++) {
        Py_ssize_t g = PyLong_AsSsize_t(PyList_GET_ITEM(gs, j));
        if (g == -1 && PyErr_Occurred()) return NULL;
        if (g < 0 || g > r.len) {
            PyErr_SetString(PyExc_IndexError, "position out of range");
            return NULL;
        }
        int ok = can_insert(k, d, day, &sp, &r, node, g);
        if (ok < 0 || PyErr_Occurred()) return NULL;
        if (ok) return PyLong_FromSsize_t(j);
    }
    return PyLong_FromLong(-1);
}

/* cheapest(cost, ..., node, max_tries) -> (delta, g) or None: Timer.best_insertion with
 * no route term, no objective and a hard end of shift. cost: n x n int64 buffer. */
typedef struct { i64 delta; Py_ssize_t g; } Cand;

static int cand_cmp(const void *a, const void *b) {
    const Cand *x = (const Cand *)a, *y = (const Cand *)b;
    if (x->delta != y->delta) return x->delta < y->delta ? -1 : 1;
    return x->g < y->g ? -1 : (x->g > y->g);
}

/* The cheapest on-time position of node in route r (c: the cost matrix, tries: -1 all):
 * 1 (and *delta, *pos) found, 0 none, -1 error. */
static int cheapest_core(const Kernel *k, const i64 *d, const i64 *c, Py_ssize_t day,
                         const SlotP *sp, const Route *r, i64 node, Py_ssize_t tries,
                         i64 *delta, Py_ssize_t *pos) {
    if (k->wcount[day * k->n + node] == 0) return 0;  /* closed that day */
    const Py_ssize_t n = k->size;
    Py_ssize_t m = r->len + 1;
    if (tries < 0 && r->fast_from == 0 && r->exact) {
        /* every position's check is the slack's (can_insert's plain branch, final when
         * exact): one pass keeps the cheapest on-time position, the first of equal
         * ones, which is the sorted checks' answer */
        Py_ssize_t best_g = -1;
        i64 best = 0, p = sp->start_node;
        for (Py_ssize_t g = 0; g < m; g++) {
            i64 q = g < r->len ? GET(r->seq, g) : sp->end_node;
            i64 dl = c[p * n + node] + c[node * n + q] - c[p * n + q];
            if (best_g < 0 || dl < best) {
                i64 st = first_start(k, day, node, GET(r->dep_before, g) + d[p * n + node]);
                if (st >= 0) {
                    i64 reach = g < r->len ? GET(r->arrival, g) : r->back;
                    if (st + k->service[node] + d[node * n + q] - reach <= GET(r->slack, g)) {
                        best = dl;
                        best_g = g;
                    }
                }
            }
            p = q;
        }
        if (PyErr_Occurred()) return -1;
        if (best_g < 0) return 0;
        *delta = best;
        *pos = best_g;
        return 1;
    }
    Cand stackbuf[64];
    Cand *cs = m <= 64 ? stackbuf : (Cand *)PyMem_Malloc((size_t)m * sizeof(Cand));
    if (cs == NULL) { PyErr_NoMemory(); return -1; }
    i64 p = sp->start_node;
    for (Py_ssize_t g = 0; g < m; g++) {
        i64 q = g < r->len ? GET(r->seq, g) : sp->end_node;
        cs[g].delta = c[p * n + node] + c[node * n + q] - c[p * n + q];
        cs[g].g = g;
        p = q;
    }
    qsort(cs, (size_t)m, sizeof(Cand), cand_cmp);
    if (tries >= 0 && tries < m) m = tries;
    int out = 0;
    for (Py_ssize_t j = 0; j < m; j++) {
        int ok = can_insert(k, d, day, sp, r, node, cs[j].g);
        if (ok < 0 || PyErr_Occurred()) { out = -1; break; }
        if (ok) {
            *delta = cs[j].delta;
            *pos = cs[j].g;
            out = 1;
            break;
        }
    }
    if (cs != stackbuf) PyMem_Free(cs);
    return out;
}

static int cost_buffer(PyObject *obj, const Kernel *k, Py_buffer *cb) {
    if (PyObject_GetBuffer(obj, cb, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const Py_ssize_t n = k->size;
    if (cb->itemsize != 8 || cb->len != 8 * n * n || cb->format == NULL ||
        (cb->format[0] != 'q' && cb->format[0] != 'l')) {
        PyBuffer_Release(cb);
        PyErr_SetString(PyExc_TypeError, "expected an n x n int64 cost matrix");
        return -1;
    }
    return 0;
}

static PyObject *k_cheapest(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Kernel *k; const i64 *d; Py_ssize_t day; SlotP sp; Route r; i64 node;
    if (nargs < 1) { PyErr_SetString(PyExc_TypeError, "missing arguments"); return NULL; }
    if (parse(args + 1, nargs - 1, NARGS + 1, &k, &d, &day, &sp, &r, &node) < 0) return NULL;
    Py_ssize_t tries = PyLong_AsSsize_t(args[NARGS + 1]);  /* -1: all */
    if (tries == -1 && PyErr_Occurred()) return NULL;
    if (k->wcount[day * k->n + node] == 0) Py_RETURN_NONE;  /* closed that day */
    Py_buffer cb;
    if (cost_buffer(args[0], k, &cb) < 0) return NULL;
    i64 delta = 0;
    Py_ssize_t g = -1;
    int found = cheapest_core(k, d, (const i64 *)cb.buf, day, &sp, &r, node, tries, &delta, &g);
    PyBuffer_Release(&cb);
    if (found < 0) return NULL;
    if (!found) Py_RETURN_NONE;
    return Py_BuildValue("(Ln)", delta, g);
}

/* pick_slots(slots, node, pres, routes, scheds, hard, soft, balance, overtime) -> list,
 * per slot of ``slots``, of None or (cost, position): what Search._picker's loop answers for one
 * slot with the hard node terms ``hard`` (a list of (limits, uses, node use)), the
 * native cheapest insertion (``pres[s]``: Timer._prefix's arguments of slot s), with
 * ``balance`` = (w, min_price, target, target_n, per_visit, min_visits) (else None),
 * DayBalance.insert_cost added, and then, per soft node term of ``soft`` (a list of
 * (limits, uses, node use, penalty)), the excess the visit adds at the penalty (no
 * answer where the penalty is infinite), the same arithmetic in the same order. With
 * ``overtime`` = (penalty, shift end per slot, insertion(slot)) (else None), a day
 * without a break prices its overtime as Timer.best_insertion does: its one pass
 * here where the route is plain and exact, else through ``insertion``, the
 * reference. The cost is an int where nothing was added, else a float, as in the
 * reference. */
static PyObject *s_dep, *s_taken, *s_arr, *s_back, *s_slack, *s_fast, *s_exact, *s_wait;

static int route_of(PyObject *seq, PyObject *sch, Route *r, PyObject **hold) {
    /* hold[0..4]: new references to release by the caller */
    if (!PyList_Check(seq)) { PyErr_SetString(PyExc_TypeError, "a route must be a list"); return -1; }
    r->seq = seq;
    r->len = PyList_GET_SIZE(seq);
    hold[0] = r->dep_before = PyObject_GetAttr(sch, s_dep);
    hold[1] = r->taken_before = PyObject_GetAttr(sch, s_taken);
    hold[2] = r->arrival = PyObject_GetAttr(sch, s_arr);
    hold[3] = r->slack = PyObject_GetAttr(sch, s_slack);
    if (!hold[0] || !hold[1] || !hold[2] || !hold[3]) return -1;
    PyObject *v = PyObject_GetAttr(sch, s_back);
    if (v == NULL) return -1;
    r->back = PyLong_AsLongLong(v);
    Py_DECREF(v);
    v = PyObject_GetAttr(sch, s_fast);
    if (v == NULL) return -1;
    r->fast_from = PyLong_AsLongLong(v);
    Py_DECREF(v);
    v = PyObject_GetAttr(sch, s_exact);
    if (v == NULL) return -1;
    r->exact = PyObject_IsTrue(v);
    Py_DECREF(v);
    if (PyErr_Occurred()) return -1;
    if (!PyTuple_Check(r->dep_before) || !PyTuple_Check(r->taken_before) ||
        !PyTuple_Check(r->arrival) || !PyTuple_Check(r->slack)) {
        PyErr_SetString(PyExc_TypeError, "the schedule's fields must be tuples");
        return -1;
    }
    if (PyTuple_GET_SIZE(r->dep_before) < r->len + 1 ||
        PyTuple_GET_SIZE(r->taken_before) < r->len + 1 ||
        PyTuple_GET_SIZE(r->arrival) < r->len ||
        (r->fast_from <= r->len && PyTuple_GET_SIZE(r->slack) < r->len + 1)) {
        PyErr_SetString(PyExc_ValueError, "schedule shorter than the route");
        return -1;
    }
    return 0;
}

/* A slot given as nine Python ints (mode, day, shift start, end, the three
 * break fields, start node, end node): read and range-checked; -1 with an
 * exception set when one is not an int or is out of range. */
static int read_slot(const Kernel *k, PyObject *const *items, Py_ssize_t *m,
                     Py_ssize_t *day, SlotP *sp) {
    *m = PyLong_AsSsize_t(items[0]);
    *day = PyLong_AsSsize_t(items[1]);
    i64 v[7];
    for (int j = 0; j < 7; j++) v[j] = PyLong_AsLongLong(items[2 + j]);
    if (PyErr_Occurred()) return -1;
    if (*m < 0 || *m >= k->nmodes || *day < 0 || *day >= k->ndays) {
        PyErr_SetString(PyExc_IndexError, "mode or day out of range");
        return -1;
    }
    *sp = (SlotP){v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    if (sp->start_node < 0 || sp->start_node >= k->size || sp->end_node < 0 ||
        sp->end_node >= k->size) {
        PyErr_SetString(PyExc_IndexError, "node out of range");
        return -1;
    }
    return 0;
}

static double list_f(PyObject *list, Py_ssize_t s) {
    return PyFloat_AsDouble(PyList_GET_ITEM(list, s));
}

/* Timer.best_insertion's one pass with overtime priced (a day without a break whose
 * route is plain and exact from its start, the node with one window): the cheapest
 * position whose delay the route absorbs, each second beyond the waiting after it and
 * the time left before the end of the shift at ``tpen``. 1 (and *delta, *pos, and
 * *priced: whether overtime was added, a float cost then) found, 0 none, -1 error. */
static int overtime_pass(const Kernel *k, const i64 *d, const i64 *c, Py_ssize_t day,
                         const SlotP *sp, const Route *r, PyObject *wait, i64 shift_end,
                         i64 node, double tpen, double *delta, Py_ssize_t *pos,
                         int *priced) {
    const Py_ssize_t n = k->size, L = r->len;
    if (!PyTuple_Check(wait) || PyTuple_GET_SIZE(wait) < L + 1 ||
        PyTuple_GET_SIZE(r->slack) < L + 1) {
        PyErr_SetString(PyExc_ValueError, "a plain schedule's waits and slacks: L + 1 each");
        return -1;
    }
    Py_ssize_t w0 = (Py_ssize_t)k->wstart[day * k->n + node];
    i64 lo = k->wflat[2 * w0], hi = k->wflat[2 * w0 + 1], svc = k->service[node];
    i64 left = shift_end - r->back;
    if (left < 0) left = 0;
    Py_ssize_t best_g = -1;
    double best = 0.0;
    int best_priced = 0;
    i64 p = sp->start_node;
    for (Py_ssize_t g = 0; g <= L; g++) {
        i64 q = g < L ? GET(r->seq, g) : sp->end_node;
        i64 pg = p;
        p = q;
        double dl = (double)(c[pg * n + node] + c[node * n + q] - c[pg * n + q]);
        if (best_g >= 0 && dl >= best) continue;
        i64 arr = GET(r->dep_before, g) + d[pg * n + node];
        if (arr > hi) continue;
        i64 reach = g < L ? GET(r->arrival, g) : r->back;
        i64 late = (arr < lo ? lo : arr) + svc + d[node * n + q] - reach;
        if (late <= GET(r->slack, g)) {
            i64 extra = late - GET(wait, g) - left;
            int now = 0;
            if (extra > 0) {
                dl += tpen * (double)extra;
                now = 1;
                if (best_g >= 0 && dl >= best) continue;
            }
            best = dl;
            best_g = g;
            best_priced = now;
        }
    }
    if (PyErr_Occurred()) return -1;
    if (best_g < 0) return 0;
    *delta = best;
    *pos = best_g;
    *priced = best_priced;
    return 1;
}

static PyObject *pick_one(const Kernel *k0, PyObject *pre, PyObject *seq, PyObject *sch,
                          Py_ssize_t s, i64 node, PyObject *hard, PyObject *soft,
                          PyObject *bal, PyObject *ot) {
    /* the hard node terms (RouteTerm.room) */
    Py_ssize_t nh = PyList_GET_SIZE(hard);
    for (Py_ssize_t h = 0; h < nh; h++) {
        PyObject *t = PyList_GET_ITEM(hard, h);
        PyObject *lim = PyList_GET_ITEM(PyTuple_GET_ITEM(t, 0), s);
        if (lim == Py_None) continue;
        i64 l = PyLong_AsLongLong(lim);
        i64 u = PyLong_AsLongLong(PyList_GET_ITEM(PyTuple_GET_ITEM(t, 1), s));
        i64 nu = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 2));
        if (PyErr_Occurred()) return NULL;
        if (u + nu > l) Py_RETURN_NONE;
    }
    if (!PyTuple_Check(pre) || PyTuple_GET_SIZE(pre) != 11) {
        PyErr_SetString(PyExc_TypeError, "a slot's prefix must be an 11-tuple");
        return NULL;
    }
    const Kernel *k = (const Kernel *)PyCapsule_GetPointer(PyTuple_GET_ITEM(pre, 1),
                                                           "routeopt.kernel");
    if (k == NULL) return NULL;
    if (k != k0) { PyErr_SetString(PyExc_ValueError, "another kernel's slot"); return NULL; }
    Py_ssize_t m, day;
    SlotP sp;
    if (read_slot(k, PySequence_Fast_ITEMS(pre) + 2, &m, &day, &sp) < 0) return NULL;
    if (k->wcount[day * k->n + node] == 0) Py_RETURN_NONE;  /* closed that day */
    const i64 *d = (const i64 *)k->dur[m].buf;
    Route r;
    PyObject *hold[4] = {NULL, NULL, NULL, NULL};
    PyObject *out = NULL;
    Py_buffer cb;
    int have_cb = 0;
    if (route_of(seq, sch, &r, hold) < 0) goto done;
    for (Py_ssize_t j = 0; j < r.len; j++) {
        i64 x = GET(r.seq, j);
        if (x < 0 || x >= k->n) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "node out of range");
            goto done;
        }
    }
    if (cost_buffer(PyTuple_GET_ITEM(pre, 0), k, &cb) < 0) goto done;
    have_cb = 1;
    i64 delta = 0;
    double fdelta = 0.0;
    int priced = 0;  /* the timing's cost is the float fdelta (overtime priced in) */
    Py_ssize_t g = -1;
    int found;
    if (ot != Py_None && sp.bo < 0) {  /* overtime priced on a day without a break */
        double tpen = PyFloat_AsDouble(PyTuple_GET_ITEM(ot, 0));
        i64 shift_end = PyLong_AsLongLong(PyList_GET_ITEM(PyTuple_GET_ITEM(ot, 1), s));
        if (PyErr_Occurred()) goto done;
        if (r.fast_from == 0 && r.exact && k->wcount[day * k->n + node] == 1) {
            PyObject *wait = PyObject_GetAttr(sch, s_wait);
            if (wait == NULL) goto done;
            found = overtime_pass(k, d, (const i64 *)cb.buf, day, &sp, &r, wait, shift_end,
                                  node, tpen, &fdelta, &g, &priced);
            Py_DECREF(wait);
            if (found < 0) goto done;
            if (!found) { out = Py_NewRef(Py_None); goto done; }
            if (!priced) delta = (i64)fdelta;
        } else {  /* the reference's general path, through the caller's function */
            PyObject *ix = PyLong_FromSsize_t(s);
            if (ix == NULL) goto done;
            PyObject *got = PyObject_CallOneArg(PyTuple_GET_ITEM(ot, 2), ix);
            Py_DECREF(ix);
            if (got == NULL) goto done;
            if (got == Py_None) { out = got; goto done; }
            if (!PyTuple_Check(got) || PyTuple_GET_SIZE(got) != 2) {
                Py_DECREF(got);
                PyErr_SetString(PyExc_TypeError, "the insertion: None or (cost, position)");
                goto done;
            }
            PyObject *c0 = PyTuple_GET_ITEM(got, 0);
            g = PyLong_AsSsize_t(PyTuple_GET_ITEM(got, 1));
            if (PyFloat_Check(c0)) {
                fdelta = PyFloat_AS_DOUBLE(c0);
                priced = 1;
            } else {
                delta = PyLong_AsLongLong(c0);
            }
            Py_DECREF(got);
            if (PyErr_Occurred()) goto done;
        }
    } else {
        found = cheapest_core(k, d, (const i64 *)cb.buf, day, &sp, &r, node, -1, &delta, &g);
        if (found < 0) goto done;
        if (!found) { out = Py_NewRef(Py_None); goto done; }
    }
    double extra = 0.0;
    if (bal != Py_None) {  /* DayBalance.insert_cost(st, node, s, g) */
        const Py_ssize_t n = k->size;
        double w = PyFloat_AsDouble(PyTuple_GET_ITEM(bal, 0));
        double min_price = PyFloat_AsDouble(PyTuple_GET_ITEM(bal, 1));
        double target = list_f(PyTuple_GET_ITEM(bal, 2), s);
        double target_n = list_f(PyTuple_GET_ITEM(bal, 3), s);
        double per_visit = list_f(PyTuple_GET_ITEM(bal, 4), s);
        i64 min_visits = PyLong_AsLongLong(PyList_GET_ITEM(PyTuple_GET_ITEM(bal, 5), s));
        if (PyErr_Occurred()) goto done;
        i64 added, work = 0;
        i64 p = g > 0 ? GET(r.seq, g - 1) : sp.start_node;
        if (r.len) {
            i64 q = g < r.len ? GET(r.seq, g) : sp.end_node;
            added = d[p * n + node] + d[node * n + q] - d[p * n + q];
            i64 prev = sp.start_node;  /* DayBalance.work */
            for (Py_ssize_t j = 0; j < r.len; j++) {
                i64 x = GET(r.seq, j);
                work += d[prev * n + x] + k->service[x];
                prev = x;
            }
            work += d[prev * n + sp.end_node];
        } else {
            added = d[sp.start_node * n + node] + d[node * n + sp.end_node];
        }
        i64 nv = (i64)r.len;
        double after = w * fabs((double)(work + added + k->service[node]) - target) +
                       per_visit * fabs((double)(nv + 1) - target_n);
        i64 short_ = min_visits - nv - 1;
        if (short_ > 0) after += min_price * (double)short_;
        double before = w * fabs((double)work - target) + per_visit * fabs((double)nv - target_n);
        if (short_ + 1 > 0) before += min_price * (double)(short_ + 1);
        extra += after - before;
    }
    /* the soft node terms (RouteTerm.added_excess at the term's penalty) */
    Py_ssize_t nsoft = PyList_GET_SIZE(soft);
    for (Py_ssize_t h = 0; h < nsoft; h++) {
        PyObject *t = PyList_GET_ITEM(soft, h);
        PyObject *lim = PyList_GET_ITEM(PyTuple_GET_ITEM(t, 0), s);
        if (lim == Py_None) continue;
        i64 l = PyLong_AsLongLong(lim);
        i64 u = PyLong_AsLongLong(PyList_GET_ITEM(PyTuple_GET_ITEM(t, 1), s));
        i64 nu = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 2));
        double lam = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 3));
        if (PyErr_Occurred()) goto done;
        i64 add = (u + nu > l ? u + nu - l : 0) - (u > l ? u - l : 0);
        if (add > 0) {
            if (lam == Py_HUGE_VAL) { out = Py_NewRef(Py_None); goto done; }
            extra += lam * (double)add;
        }
    }
    if (priced)
        out = Py_BuildValue("(dn)", extra != 0.0 ? fdelta + extra : fdelta, g);
    else if (extra != 0.0)
        out = Py_BuildValue("(dn)", (double)delta + extra, g);
    else
        out = Py_BuildValue("(Ln)", delta, g);
done:
    if (have_cb) PyBuffer_Release(&cb);
    for (int j = 0; j < 4; j++) Py_XDECREF(hold[j]);
    return out;
}

/* cheapest_overtime(cost, ..., node, penalty, shift_end, wait_after) -> None or
 * (cost, position): Timer.best_insertion's one pass with overtime priced, on a day
 * without a break, a plain and exact route and a node with one window (the caller
 * checks these); the cost an int where no overtime was added, else a float. */
static PyObject *k_cheapest_overtime(PyObject *self, PyObject *const *args,
                                     Py_ssize_t nargs) {
    Kernel *k; const i64 *d; Py_ssize_t day; SlotP sp; Route r; i64 node;
    if (nargs < 1) { PyErr_SetString(PyExc_TypeError, "missing arguments"); return NULL; }
    if (parse(args + 1, nargs - 1, NARGS + 3, &k, &d, &day, &sp, &r, &node) < 0) return NULL;
    double tpen = PyFloat_AsDouble(args[NARGS + 1]);
    i64 shift_end = PyLong_AsLongLong(args[NARGS + 2]);
    if (PyErr_Occurred()) return NULL;
    if (sp.bo >= 0 || r.fast_from != 0 || !r.exact || k->wcount[day * k->n + node] != 1) {
        PyErr_SetString(PyExc_ValueError,
                        "the one pass: no break, a plain exact route, one window");
        return NULL;
    }
    Py_buffer cb;
    if (cost_buffer(args[0], k, &cb) < 0) return NULL;
    double delta = 0.0;
    Py_ssize_t g = -1;
    int priced = 0;
    int found = overtime_pass(k, d, (const i64 *)cb.buf, day, &sp, &r, args[NARGS + 3],
                              shift_end, node, tpen, &delta, &g, &priced);
    PyBuffer_Release(&cb);
    if (found < 0) return NULL;
    if (!found) Py_RETURN_NONE;
    if (priced) return Py_BuildValue("(dn)", delta, g);
    return Py_BuildValue("(Ln)", (i64)delta, g);
}

/* The per-slot lists shared by pick_slots and price_options: the number of
 * slots, or -1 with an exception set when the prefixes, schedules, hard terms
 * (limits, uses, node use), soft terms (the same and a penalty), the balance
 * (w, min_price, four lists) or the overtime (penalty, shift ends, insertion
 * function) do not have one entry per route. */
static Py_ssize_t slot_lists(PyObject *pres, PyObject *routes, PyObject *scheds,
                             PyObject *hard, PyObject *soft, PyObject *bal, PyObject *ot) {
    Py_ssize_t ns = PyList_GET_SIZE(routes);
    if (PyList_GET_SIZE(pres) != ns || PyList_GET_SIZE(scheds) != ns) {
        PyErr_SetString(PyExc_ValueError, "one prefix, route and schedule per slot");
        return -1;
    }
    for (Py_ssize_t h = 0; h < PyList_GET_SIZE(hard); h++) {
        PyObject *t = PyList_GET_ITEM(hard, h);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 ||
            !PyList_Check(PyTuple_GET_ITEM(t, 0)) || !PyList_Check(PyTuple_GET_ITEM(t, 1)) ||
            PyList_GET_SIZE(PyTuple_GET_ITEM(t, 0)) != ns ||
            PyList_GET_SIZE(PyTuple_GET_ITEM(t, 1)) != ns) {
            PyErr_SetString(PyExc_TypeError, "a hard term: (limits, uses, node use) per slot");
            return -1;
        }
    }
    for (Py_ssize_t h = 0; h < PyList_GET_SIZE(soft); h++) {
        PyObject *t = PyList_GET_ITEM(soft, h);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4 ||
            !PyList_Check(PyTuple_GET_ITEM(t, 0)) || !PyList_Check(PyTuple_GET_ITEM(t, 1)) ||
            PyList_GET_SIZE(PyTuple_GET_ITEM(t, 0)) != ns ||
            PyList_GET_SIZE(PyTuple_GET_ITEM(t, 1)) != ns) {
            PyErr_SetString(PyExc_TypeError,
                            "a soft term: (limits, uses, node use, penalty) per slot");
            return -1;
        }
    }
    if (ot != Py_None && (!PyTuple_Check(ot) || PyTuple_GET_SIZE(ot) != 3 ||
                          !PyList_Check(PyTuple_GET_ITEM(ot, 1)) ||
                          PyList_GET_SIZE(PyTuple_GET_ITEM(ot, 1)) != ns ||
                          !PyCallable_Check(PyTuple_GET_ITEM(ot, 2)))) {
        PyErr_SetString(PyExc_TypeError,
                        "overtime: (penalty, shift end per slot, insertion function)");
        return -1;
    }
    if (bal != Py_None) {
        int ok = PyTuple_Check(bal) && PyTuple_GET_SIZE(bal) == 6;
        for (int j = 2; ok && j < 6; j++)
            ok = PyList_Check(PyTuple_GET_ITEM(bal, j)) &&
                 PyList_GET_SIZE(PyTuple_GET_ITEM(bal, j)) == ns;
        if (!ok) {
            PyErr_SetString(PyExc_TypeError, "balance: (w, min_price, four lists per slot)");
            return -1;
        }
    }
    return ns;
}

static PyObject *k_pick_slots(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 10) { PyErr_SetString(PyExc_TypeError, "expected 10 arguments"); return NULL; }
    const Kernel *k = (const Kernel *)PyCapsule_GetPointer(args[0], "routeopt.kernel");
    if (k == NULL) return NULL;
    PyObject *slots = args[1], *pres = args[3], *routes = args[4], *scheds = args[5];
    PyObject *hard = args[6], *soft = args[7], *bal = args[8], *ot = args[9];
    i64 node = PyLong_AsLongLong(args[2]);
    if (node == -1 && PyErr_Occurred()) return NULL;
    if (node < 0 || node >= k->n) {
        PyErr_SetString(PyExc_IndexError, "node out of range");
        return NULL;
    }
    if (!PyList_Check(slots) || !PyList_Check(pres) || !PyList_Check(routes) ||
        !PyList_Check(scheds) || !PyList_Check(hard) || !PyList_Check(soft)) {
        PyErr_SetString(PyExc_TypeError, "slots, prefixes, routes, schedules and terms: lists");
        return NULL;
    }
    Py_ssize_t ns = slot_lists(pres, routes, scheds, hard, soft, bal, ot);
    if (ns < 0) return NULL;
    Py_ssize_t m = PyList_GET_SIZE(slots);
    PyObject *out = PyList_New(m);
    if (out == NULL) return NULL;
    for (Py_ssize_t j = 0; j < m; j++) {
        Py_ssize_t s = PyLong_AsSsize_t(PyList_GET_ITEM(slots, j));
        if (s == -1 && PyErr_Occurred()) { Py_DECREF(out); return NULL; }
        if (s < 0 || s >= ns) {
            PyErr_SetString(PyExc_IndexError, "slot out of range");
            Py_DECREF(out);
            return NULL;
        }
        PyObject *one = pick_one(k, PyList_GET_ITEM(pres, s), PyList_GET_ITEM(routes, s),
                                 PyList_GET_ITEM(scheds, s), s, node, hard, soft, bal, ot);
        if (one == NULL) { Py_DECREF(out); return NULL; }
        PyList_SET_ITEM(out, j, one);
    }
    return out;
}

/* -- whole schedules (Timer.schedule) ---------------------------------------------- */
/* the end of the window of node that holds s (the first such), as the reference finds it */
static inline i64 window_end(const Kernel *k, Py_ssize_t day, i64 node, i64 s) {
    Py_ssize_t ix = day * k->n + node;
    const i64 *w = k->wflat + 2 * k->wstart[ix];
    for (i64 j = 0; j < k->wcount[ix]; j++)
        if (w[2 * j] <= s && s <= w[2 * j + 1]) return w[2 * j + 1];
    return -1;
}

static PyObject *tuple_i64(const i64 *v, Py_ssize_t n) {
    PyObject *t = PyTuple_New(n);
    if (t == NULL) return NULL;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *x = PyLong_FromLongLong(v[j]);
        if (x == NULL) { Py_DECREF(t); return NULL; }
        PyTuple_SET_ITEM(t, j, x);
    }
    return t;
}

static PyObject *tuple_bool(const int *v, Py_ssize_t n) {
    PyObject *t = PyTuple_New(n);
    if (t == NULL) return NULL;
    for (Py_ssize_t j = 0; j < n; j++) PyTuple_SET_ITEM(t, j, PyBool_FromLong(v[j]));
    return t;
}

/* schedule(kernel, mode, day, shift_start, end, break_open, break_late, break_dur, start
 * node, end node, seq) -> None (not on time), NotImplemented (a node closed that day: the
 * reference answers) or the fields of Schedule: (arrival, start, dep_before, taken_before,
 * break_gap, break_start, back, slack, fast_from, exact, wait_after). */
static PyObject *k_schedule(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 11) { PyErr_SetString(PyExc_TypeError, "expected 11 arguments"); return NULL; }
    Kernel *k = (Kernel *)PyCapsule_GetPointer(args[0], "routeopt.kernel");
    if (k == NULL) return NULL;
    Py_ssize_t m, day;
    SlotP sp;
    if (read_slot(k, args + 1, &m, &day, &sp) < 0) return NULL;
    PyObject *seqo = args[10];
    if (!PyList_Check(seqo)) { PyErr_SetString(PyExc_TypeError, "seq must be a list"); return NULL; }
    const Py_ssize_t L = PyList_GET_SIZE(seqo), N = k->size;
    const i64 *d = (const i64 *)k->dur[m].buf;
    if (L == 0) {
        /* the reference: ((), (), (shift_start,), (False,), -1, -1, shift_start), defaults */
        PyObject *e = PyTuple_New(0);
        if (e == NULL) return NULL;
        PyObject *out = Py_BuildValue("(OO(L)(O)iiLOiOO)", e, e, sp.shift_start, Py_False,
                                      -1, -1, sp.shift_start, e, 1, Py_False, e);
        Py_DECREF(e);
        return out;
    }
    /* one block: seq, arrival, start, dep (L + 1), slack (L + 1), wait (L + 1), taken */
    i64 *buf = (i64 *)PyMem_Malloc((size_t)(6 * L + 3) * sizeof(i64));
    int *taken_b = (int *)PyMem_Malloc((size_t)(L + 1) * sizeof(int));
    if (buf == NULL || taken_b == NULL) {
        PyMem_Free(buf); PyMem_Free(taken_b);
        return PyErr_NoMemory();
    }
    i64 *seq = buf, *arrival = buf + L, *start = buf + 2 * L, *dep = buf + 3 * L,
        *slack = buf + 4 * L + 1, *wait = buf + 5 * L + 2;
    PyObject *out = NULL;
    for (Py_ssize_t j = 0; j < L; j++) {
        seq[j] = PyLong_AsLongLong(PyList_GET_ITEM(seqo, j));
        if (seq[j] == -1 && PyErr_Occurred()) goto done;
        if (seq[j] < 0 || seq[j] >= k->n) {
            PyErr_SetString(PyExc_IndexError, "node out of range");
            goto done;
        }
    }
    i64 t = sp.shift_start, prev = sp.start_node, back;
    dep[0] = t;
    if (sp.bo < 0) {  /* Timer._schedule_plain */
        int exact = 1;
        for (Py_ssize_t j = 0; j < L; j++) {
            i64 node = seq[j], arr = t + d[prev * N + node];
            Py_ssize_t ix = day * k->n + node;
            if (k->wcount[ix] == 0) { out = Py_NewRef(Py_None); goto done; }
            i64 s = first_start(k, day, node, arr);
            if (s < 0) { out = Py_NewRef(Py_None); goto done; }
            if (k->wcount[ix] != 1) exact = 0;
            t = s + k->service[node];
            arrival[j] = arr;
            start[j] = s;
            dep[j + 1] = t;
            prev = node;
        }
        back = t + d[prev * N + sp.end_node];
        if (back > sp.end) { out = Py_NewRef(Py_None); goto done; }
        i64 sl = sp.end - back, idle_sum = 0;
        slack[L] = sl;
        wait[L] = 0;
        for (Py_ssize_t j = L - 1; j >= 0; j--) {
            i64 hi = window_end(k, day, seq[j], start[j]);
            i64 room = hi - start[j], idle = start[j] - arrival[j];
            sl = idle + (room < sl ? room : sl);
            slack[j] = sl;
            idle_sum += idle;
            wait[j] = idle_sum;
        }
        taken_b[0] = 0;
        for (Py_ssize_t j = 1; j <= L; j++) taken_b[j] = 1;
        out = Py_BuildValue("(NNNNiiLNiON)", tuple_i64(arrival, L), tuple_i64(start, L),
                            tuple_i64(dep, L + 1), tuple_bool(taken_b, L + 1), -1, -1, back,
                            tuple_i64(slack, L + 1), 0, exact ? Py_True : Py_False,
                            tuple_i64(wait, L + 1));
        goto done;
    }
    /* Timer._schedule_general */
    int taken = 0;
    taken_b[0] = 0;
    Py_ssize_t break_gap = -1;
    i64 break_start = -1;
    for (Py_ssize_t g = 0; g < L; g++) {
        i64 node = seq[g], tt = d[prev * N + node];
        if (k->wcount[day * k->n + node] == 0) { out = Py_NewRef(Py_NotImplemented); goto done; }
        i64 svc = k->service[node], arr, s, bs = -1;
        int now;
        if (taken || sp.bo < 0) {
            arr = t + tt;
            s = first_start(k, day, node, arr);
            if (s < 0) { out = Py_NewRef(Py_None); goto done; }
            now = 1;
        } else {
            i64 b = t > sp.bo ? t : sp.bo;
            i64 s_defer = first_start(k, day, node, t + tt);
            int must_now = s_defer < 0 || s_defer + svc > sp.bl;
            int done_now = 0;
            arr = 0; s = 0; now = 0;
            if (b <= sp.bl) {
                i64 arr_now = b + sp.bd + tt;
                i64 s_now = first_start(k, day, node, arr_now);
                if (s_now >= 0 && (must_now || s_now == s_defer)) {
                    arr = arr_now; s = s_now; now = 1; bs = b; done_now = 1;
                }
            }
            if (!done_now) {
                if (must_now) { out = Py_NewRef(Py_None); goto done; }
                arr = t + tt; s = s_defer; now = 0;
            }
        }
        t = s + svc;
        if (bs >= 0) { break_gap = g; break_start = bs; }
        taken = now;
        arrival[g] = arr;
        start[g] = s;
        dep[g + 1] = t;
        taken_b[g + 1] = taken;
        prev = node;
    }
    {   /* Timer._home */
        i64 tt = d[prev * N + sp.end_node], bs = -1;
        if (taken || sp.bo < 0 || t + tt <= sp.bo) {
            back = t + tt;
        } else {
            bs = t > sp.bo ? t : sp.bo;
            if (bs > sp.bl) { out = Py_NewRef(Py_None); goto done; }
            back = bs + sp.bd + tt;
        }
        if (back > sp.end) { out = Py_NewRef(Py_None); goto done; }
        if (bs >= 0) { break_gap = L; break_start = bs; }
    }
    Py_ssize_t fast_from;
    if (sp.bo < 0) fast_from = 0;
    else if (0 <= break_gap && break_gap < L) fast_from = break_gap + 1;
    else fast_from = L + 1;
    int exact = 1;
    Py_ssize_t nslack = 0;
    if (fast_from <= L) {  /* Timer._slack */
        i64 s = sp.end - back;
        for (Py_ssize_t j = 0; j < fast_from; j++) slack[j] = 0;
        slack[L] = s;
        for (Py_ssize_t j = L - 1; j >= fast_from; j--) {
            i64 hi;
            if (k->wcount[day * k->n + seq[j]] == 1) {
                hi = k->wflat[2 * k->wstart[day * k->n + seq[j]] + 1];
            } else {
                exact = 0;
                hi = window_end(k, day, seq[j], start[j]);
            }
            i64 room = hi - start[j];
            s = start[j] - arrival[j] + (room < s ? room : s);
            slack[j] = s;
        }
        nslack = L + 1;
    }
    out = Py_BuildValue("(NNNNnLLNnO())", tuple_i64(arrival, L), tuple_i64(start, L),
                        tuple_i64(dep, L + 1), tuple_bool(taken_b, L + 1), break_gap,
                        break_start, back, tuple_i64(slack, nslack), fast_from,
                        exact ? Py_True : Py_False);
done:
    PyMem_Free(buf);
    PyMem_Free(taken_b);
    return out;
}

/* price_options(kernel, node, pres, routes, scheds, hard, soft, balance, overtime, groups,
 *               need, pen, n_near, second, noise, random) -> (best, runner_up): Search.price2's loop
 * over an outlet's options (``groups``: per option its groups of slots) with each slot
 * priced as pick_slots prices it, once, when first asked for. best: None or
 * (cost, option, [(slot, position), ...]); ``random`` is called for the noise exactly
 * where the reference draws it. */
static PyObject *k_price_options(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 16) { PyErr_SetString(PyExc_TypeError, "expected 16 arguments"); return NULL; }
    const Kernel *k = (const Kernel *)PyCapsule_GetPointer(args[0], "routeopt.kernel");
    if (k == NULL) return NULL;
    i64 node = PyLong_AsLongLong(args[1]);
    PyObject *pres = args[2], *routes = args[3], *scheds = args[4], *hard = args[5];
    PyObject *soft = args[6], *bal = args[7], *ot = args[8], *groups = args[9];
    Py_ssize_t need = PyLong_AsSsize_t(args[10]);
    double pen = PyFloat_AsDouble(args[11]);
    Py_ssize_t n_near = PyLong_AsSsize_t(args[12]);
    int second = PyObject_IsTrue(args[13]);
    double noise = PyFloat_AsDouble(args[14]);
    PyObject *rnd = args[15];
    if (PyErr_Occurred()) return NULL;
    if (node < 0 || node >= k->n) { PyErr_SetString(PyExc_IndexError, "node out of range"); return NULL; }
    if (!PyList_Check(pres) || !PyList_Check(routes) || !PyList_Check(scheds) ||
        !PyList_Check(hard) || !PyList_Check(soft) || !PyList_Check(groups)) {
        PyErr_SetString(PyExc_TypeError, "prefixes, routes, schedules, terms, groups: lists");
        return NULL;
    }
    Py_ssize_t ns = slot_lists(pres, routes, scheds, hard, soft, bal, ot);
    if (ns < 0) return NULL;
    PyObject **memo = (PyObject **)PyMem_Calloc((size_t)(ns > 0 ? ns : 1), sizeof(PyObject *));
    if (memo == NULL) return PyErr_NoMemory();
    PyObject *best_where = NULL, *where = NULL, *out = NULL;
    double best_total = 0.0, runner_up = Py_HUGE_VAL;
    Py_ssize_t best_k = -1, best_len = 0;
    Py_ssize_t nopt = PyList_GET_SIZE(groups);
    for (Py_ssize_t ko = 0; ko < nopt; ko++) {
        if (ko == n_near && best_k >= 0 && best_len == need) break;
        double bound = second ? runner_up : (best_k >= 0 ? best_total : Py_HUGE_VAL);
        PyObject *og = PyList_GET_ITEM(groups, ko);
        if (!PyTuple_Check(og)) { PyErr_SetString(PyExc_TypeError, "groups: tuples"); goto fail; }
        Py_ssize_t ng = PyTuple_GET_SIZE(og);
        Py_ssize_t short_ = need - ng;
        double total = short_ ? pen * (double)short_ : 0.0;
        where = PyList_New(0);
        if (where == NULL) goto fail;
        int broke = 0;
        for (Py_ssize_t gi = 0; gi < ng; gi++) {
            PyObject *group = PyTuple_GET_ITEM(og, gi);
            if (!PyTuple_Check(group)) { PyErr_SetString(PyExc_TypeError, "a group: a tuple"); goto fail; }
            Py_ssize_t pick_s = -1;
            double pick_c = 0.0;
            PyObject *pick_pos = NULL;
            for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(group); j++) {
                Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(group, j));
                if (s == -1 && PyErr_Occurred()) goto fail;
                if (s < 0 || s >= ns) { PyErr_SetString(PyExc_IndexError, "slot out of range"); goto fail; }
                if (memo[s] == NULL) {
                    memo[s] = pick_one(k, PyList_GET_ITEM(pres, s), PyList_GET_ITEM(routes, s),
                                       PyList_GET_ITEM(scheds, s), s, node, hard, soft, bal, ot);
                    if (memo[s] == NULL) goto fail;
                }
                PyObject *r = memo[s];
                if (r == Py_None) continue;
                double c = PyFloat_AsDouble(PyTuple_GET_ITEM(r, 0));
                if (c == -1.0 && PyErr_Occurred()) goto fail;
                if (pick_s < 0 || c < pick_c) {
                    pick_s = s;
                    pick_c = c;
                    pick_pos = PyTuple_GET_ITEM(r, 1);
                }
            }
            if (pick_s < 0) {
                total += pen;
            } else {
                total += pick_c;
                PyObject *pair = Py_BuildValue("(nO)", pick_s, pick_pos);
                if (pair == NULL) goto fail;
                int bad = PyList_Append(where, pair);
                Py_DECREF(pair);
                if (bad < 0) goto fail;
            }
            if (total >= bound) { broke = 1; break; }
        }
        if (!broke && PyList_GET_SIZE(where)) {
            if (noise != 0.0) {
                PyObject *x = PyObject_CallNoArgs(rnd);
                if (x == NULL) goto fail;
                double u = PyFloat_AsDouble(x);
                Py_DECREF(x);
                if (u == -1.0 && PyErr_Occurred()) goto fail;
                total *= 1.0 + noise * (2.0 * u - 1.0);
            }
            if (best_k < 0 || total < best_total) {
                if (best_k >= 0) runner_up = best_total;
                best_total = total;
                best_k = ko;
                best_len = PyList_GET_SIZE(where);
                Py_XSETREF(best_where, where);
                where = NULL;
            } else if (total < runner_up) {
                runner_up = total;
            }
        }
        Py_CLEAR(where);
    }
    if (best_k >= 0)
        out = Py_BuildValue("((dnO)d)", best_total, best_k, best_where, runner_up);
    else
        out = Py_BuildValue("(Od)", Py_None, runner_up);
fail:
    Py_XDECREF(where);
    Py_XDECREF(best_where);
    for (Py_ssize_t s = 0; s < ns; s++) Py_XDECREF(memo[s]);
    PyMem_Free(memo);
    return out;
}

static PyMethodDef methods[] = {
    {"make", k_make, METH_VARARGS, "A kernel for one instance."},
    {"can_insert", (PyCFunction)(void (*)(void))k_can_insert, METH_FASTCALL,
     "Timer.can_insert."},
    {"first_fit", (PyCFunction)(void (*)(void))k_first_fit, METH_FASTCALL,
     "The first position of a list where a node fits, or -1."},
    {"schedule", (PyCFunction)(void (*)(void))k_schedule, METH_FASTCALL, "Timer.schedule."},
    {"cheapest", (PyCFunction)(void (*)(void))k_cheapest, METH_FASTCALL,
     "Timer.best_insertion without route terms, objective or overtime."},
    {"price_options", (PyCFunction)(void (*)(void))k_price_options, METH_FASTCALL,
     "Search.price2's loop over an outlet's options, each slot priced as pick_slots."},
    {"cheapest_overtime", (PyCFunction)(void (*)(void))k_cheapest_overtime, METH_FASTCALL,
     "Timer.best_insertion's one pass with overtime priced."},
    {"pick_slots", (PyCFunction)(void (*)(void))k_pick_slots, METH_FASTCALL,
     "Per slot, the cheapest insertion with the hard node terms and the day balance."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernel", "Native kernel of the route timing.", -1, methods,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    s_dep = PyUnicode_InternFromString("dep_before");
    s_taken = PyUnicode_InternFromString("taken_before");
    s_arr = PyUnicode_InternFromString("arrival");
    s_back = PyUnicode_InternFromString("back");
    s_slack = PyUnicode_InternFromString("slack");
    s_fast = PyUnicode_InternFromString("fast_from");
    s_exact = PyUnicode_InternFromString("exact");
    s_wait = PyUnicode_InternFromString("wait_after");
    if (!s_dep || !s_taken || !s_arr || !s_back || !s_slack || !s_fast || !s_exact || !s_wait)
        return NULL;
    return PyModule_Create(&module);
}
