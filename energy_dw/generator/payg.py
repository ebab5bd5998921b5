"""The pay-as-you-go (pulse) world, generated one block of accounts at a time.

Payments follow the credit rule of SOURCES.md exactly:
``credit_until = max(credit_until, paid_at) + credit_days``. The payment simulation is
vectorised over the accounts of a block (one numpy step per payment round).
"""

from __future__ import annotations

import numpy as np

from . import values as V
from .common import (
    AS_OF,
    AS_OF_END,
    HISTORY_START,
    NAT,
    SCD2_OPEN,
    Tables,
    chain_versions,
    choice,
    day_to_ts,
    days,
    rand_ts,
    secs,
)
from .irregular import Irregularities

HOUR = 3600
DAYS = 86_400
P_NEVER_INSTALLED_CANCEL = 0.02
P_NEVER_INSTALLED_PENDING = 0.01
P_UPFRONT = 0.05
P_ADDON = 0.12
P_EDGE_ACCOUNT = 0.20
P_EDGE_PAYMENT = 0.25
P_RETURN_OF_COMPLETED = 0.25
P_ESF_OPT_OUT = 0.35
P_SHOP_CHANGE = 0.03
P_CONTRACT_RELOAD = 0.03
PAYER_TYPES = ["regular", "late", "defaulter"]
PAYER_P = [0.55, 0.27, 0.18]
P_RESUME = 0.4


def payg_reference(g: Tables) -> dict:
    ids = np.array(sorted(V.PRODUCTS), dtype=np.int64)
    p = [V.PRODUCTS[i] for i in ids]
    g.add(
        "pulse",
        "product",
        product_id=ids,
        product_name=np.array([x[0] for x in p], object),
        product_category=np.array([x[1] for x in p], object),
        tags=np.array([x[2] for x in p], object),
        has_iot=np.array([x[3] for x in p], bool),
    )
    n = int(ids.max()) + 1
    ref = {
        "total": np.zeros(n, np.int64),
        "dp": np.zeros(n, np.int64),
        "rate": np.zeros(n),
        "iot": np.zeros(n, bool),
    }
    for i, x in zip(ids, p, strict=True):
        ref["total"][i] = int(round(x[4] * 100))
        ref["dp"][i] = int(round(x[5] * 100))
        ref["rate"][i] = x[6]
        ref["iot"][i] = x[3]
    return ref


def _wchoice(rng, weights: dict, size: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=np.int64)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _people(opco_codes, kind: str, k: np.ndarray):
    first = np.asarray(V.PAYG_FIRST, object)
    last = np.asarray(V.PAYG_LAST, object)
    name = first[(k * 5 + 3) % len(first)] + " " + last[(k * 11 + 1) % len(last)]
    code = np.array(
        [f"{kind}-{o[:2].upper()}-{int(i):03d}" for o, i in zip(opco_codes, k, strict=True)],
        dtype=object,
    )
    return name.astype(object), code


def _simulate(
    rng,
    start,
    cu0,
    rate_cents,
    total_cents,
    dp_cents,
    ptype,
    edge,
    pref_days,
    opt_thresh,
    resume_gap,
):
    """Vectorised payment rounds for one contract phase per account.

    Returns payment arrays (index into the inputs, paid_at, amount_cents, credit_days,
    credit_until_before, planted_edge) and per input: finish time, finish reason,
    final credit_until, stopped (defaulter that never resumed).
    """
    n = len(start)
    cu = cu0.copy()
    paid = np.zeros(n, np.int64)
    finish = np.full(n, NAT)
    reason = np.full(n, None, object)
    alive = np.ones(n, bool)
    stopped = np.zeros(n, bool)
    n_pay = np.zeros(n, np.int64)
    k_stop = rng.integers(1, 16, n)
    ptype = ptype.copy()
    rec = {k: [] for k in ("i", "t", "amt", "cd", "cub", "edge")}
    # round 0: the downpayment at the start, buying the downpayment period
    t = start.copy()
    first = True
    while alive.any():
        idx = np.flatnonzero(alive)
        if first:
            when = t[idx]
            cd = np.full(len(idx), V.DOWNPAYMENT_DAYS)
            amt = dp_cents[idx]
            is_edge = np.zeros(len(idx), bool)
        else:
            cu_day = cu[idx].astype("datetime64[D]")
            tod = secs(rng.uniform(6, 21, len(idx)) * HOUR)
            pt = ptype[idx]
            early = day_to_ts(cu_day - days(rng.integers(1, 4, len(idx)))) + tod
            late = day_to_ts(cu_day + days(np.minimum(rng.geometric(0.25, len(idx)), 20))) + tod
            very = day_to_ts(cu_day + days(rng.integers(1, 26, len(idx)))) + tod
            when = np.select([pt == 0, pt == 1], [early, late], very)
            is_edge = edge[idx] & (rng.random(len(idx)) < P_EDGE_PAYMENT)
            when[is_edge] = day_to_ts(cu_day[is_edge]) + tod[is_edge]
            resumed = ptype[idx] == 3
            when[resumed] = cu[idx][resumed] + secs(resume_gap[idx][resumed] * DAYS)
            ptype[idx[resumed]] = 1
            last_t = t[idx]
            when = np.maximum(when, last_t + secs(HOUR))
            is_edge &= ~resumed & (when.astype("datetime64[D]") == cu_day)
            cd = pref_days[idx].copy()
            amt = np.rint(cd * rate_cents[idx]).astype(np.int64)
        ok = when <= AS_OF_END
        alive[idx[~ok]] = False
        idx, when, cd, amt, is_edge = idx[ok], when[ok], cd[ok], amt[ok], is_edge[ok]
        remaining = total_cents[idx] - paid[idx]
        done = amt >= remaining
        amt = np.where(done, remaining, amt)
        cd = np.where(done, np.maximum(np.ceil(remaining / rate_cents[idx]), 1), cd).astype(
            np.int64
        )
        cub = cu[idx]
        rec["i"].append(idx)
        rec["t"].append(when)
        rec["amt"].append(amt)
        rec["cd"].append(cd)
        rec["cub"].append(cub)
        rec["edge"].append(is_edge)
        cu[idx] = np.maximum(cub, when) + secs(cd * DAYS)
        paid[idx] += amt
        t[idx] = when
        n_pay[idx] += 1
        fin_now = done
        opt = ~done & (paid[idx] >= opt_thresh[idx])
        finish[idx[fin_now]] = when[fin_now]
        reason[idx[fin_now]] = "PAID_OFF"
        finish[idx[opt]] = when[opt]
        reason[idx[opt]] = "OPT_OUT"
        alive[idx[fin_now | opt]] = False
        # defaulters stop after k_stop payments; some resume after a long gap
        stop = (ptype[idx] == 2) & (n_pay[idx] >= k_stop[idx]) & ~(fin_now | opt)
        res = stop & (resume_gap[idx] > 0)
        ptype[idx[res]] = 3
        never = stop & ~res
        stopped[idx[never]] = True
        alive[idx[never]] = False
        first = False
    out = {k: (np.concatenate(v) if v else np.array([], dtype=np.int64)) for k, v in rec.items()}
    return out, finish, reason, cu, stopped


def payg_block(rng: np.random.Generator, n: int, ctr, ref: dict, irr: Irregularities) -> Tables:
    T = Tables()
    # ---------------------------------------------------------------- customers & accounts
    n_cust = max(int(np.ceil(n / 1.03)), 1)
    n = max(n, n_cust)
    extra = rng.choice(n_cust, n - n_cust, replace=False) if n > n_cust else np.array([], int)
    acc_cust = np.sort(np.concatenate([np.arange(n_cust), extra]))
    opcos = list(V.OPCOS)
    c_opco = np.asarray(opcos, object)[
        rng.choice(len(opcos), n_cust, p=[V.OPCOS[o][1] for o in opcos])
    ]
    c_shop = np.array(
        [
            V.SHOPS[o][k % len(V.SHOPS[o])]
            for o, k in zip(c_opco, rng.integers(0, 60, n_cust), strict=True)
        ],
        dtype=object,
    )
    created = rand_ts(rng, day_to_ts(HISTORY_START), day_to_ts(AS_OF - days(15)), n)
    created = np.sort(created)
    order = rng.permutation(n)  # accounts of a customer are not all created together
    created = created[order]
    c_created = np.full(n_cust, SCD2_OPEN)
    np.minimum.at(c_created, acc_cust, created)
    c_created = c_created - secs(rng.uniform(60, 3 * HOUR, n_cust))
    cust_id = ctr.take("payg_customer", n_cust)
    c_name = (
        np.asarray(V.PAYG_FIRST, object)[rng.integers(0, len(V.PAYG_FIRST), n_cust)]
        + " "
        + np.asarray(V.PAYG_LAST, object)[rng.integers(0, len(V.PAYG_LAST), n_cust)]
    )
    prefix = {
        "Kenya": "+2547",
        "Uganda": "+2567",
        "Nigeria": "+2348",
        "Zambia": "+2609",
        "Benin": "+22997",
    }
    c_phone = np.array([prefix[o] for o in c_opco], object) + np.char.zfill(
        ((cust_id * 7_919_993 + 17) % 10**7).astype(str), 7
    ).astype(object)
    c_terr = c_shop + " " + np.asarray(V.TERRITORY_SUFFIX, object)[rng.integers(0, 3, n_cust)]
    T.add(
        "pulse",
        "customer",
        customer_id=cust_id,
        customer_name=c_name,
        phone_number=c_phone,
        territory=c_terr,
        created_at=c_created,
    )

    acc_id = ctr.take("payg_account", n)
    opco = c_opco[acc_cust]
    shop = c_shop[acc_cust]
    threshold = np.array([V.OPCOS[o][0] for o in opco])
    cu_type = choice(rng, V.CU_TYPES, [0.8, 0.15, 0.05], n)
    subsidy = choice(rng, V.SUBSIDIES, [0.3, 0.7], n)
    agent_name, agent_code = _people(opco, "SA", rng.integers(1, 21, n))
    tech_name, tech_code = _people(opco, "TC", rng.integers(1, 11, n))
    up_name, up_code = _people(opco, "TC", rng.integers(1, 11, n))

    # ---------------------------------------------------------------- first sale order
    ordered = created + secs(rng.uniform(0.1, 72, n) * HOUR)
    fulfilled = ordered + secs(rng.uniform(2, 240, n) * HOUR)
    u = rng.random(n)
    so_status = np.where(
        u < P_NEVER_INSTALLED_CANCEL,
        "CANCELLED",
        np.where(u < P_NEVER_INSTALLED_CANCEL + P_NEVER_INSTALLED_PENDING, "PENDING", "FULFILLED"),
    ).astype(object)
    so_status[(so_status == "FULFILLED") & (fulfilled > AS_OF_END)] = "PENDING"
    installed = so_status == "FULFILLED"
    fulfilled = np.where(installed, fulfilled, NAT)
    cancel_at = np.where(
        so_status == "CANCELLED",
        np.minimum(ordered + secs(rng.uniform(1, 10, n) * DAYS), AS_OF_END),
        NAT,
    )
    main = _wchoice(rng, V.MAIN_PRODUCT_WEIGHTS, n)
    has_addon = (rng.random(n) < P_ADDON) & (main != 6)
    addon = np.where(has_addon, _wchoice(rng, V.ADDON_PRODUCT_WEIGHTS, n), 0)
    addon = np.where(addon == main, 8, addon)
    upfront = installed & (rng.random(n) < P_UPFRONT)
    esf_only = (main == 6) & ~has_addon

    rate_c = ref["rate"][main] * 100 + np.where(has_addon, ref["rate"][addon] * 100, 0)
    total_c = ref["total"][main] + np.where(has_addon, ref["total"][addon], 0)
    dp_c = ref["dp"][main] + np.where(has_addon, ref["dp"][addon], 0)
    ptype = rng.choice(3, n, p=PAYER_P)
    edge = rng.random(n) < P_EDGE_ACCOUNT
    pref = rng.choice(V.CREDIT_DAY_CHOICES, n, p=[0.4, 0.35, 0.25])
    opt_thresh = np.where(
        esf_only & (rng.random(n) < P_ESF_OPT_OUT),
        np.rint(total_c * rng.uniform(0.5, 0.8, n)),
        np.inf,
    )
    resume_gap = np.where(rng.random(n) < P_RESUME, rng.integers(40, 200, n), 0)

    sim_idx = np.flatnonzero(installed & ~upfront)
    pay1, fin1, rea1, cu1, stop1 = _simulate(
        rng,
        fulfilled[sim_idx],
        fulfilled[sim_idx],
        rate_c[sim_idx],
        total_c[sim_idx],
        dp_c[sim_idx],
        ptype[sim_idx],
        edge[sim_idx],
        pref[sim_idx],
        opt_thresh[sim_idx],
        resume_gap[sim_idx],
    )
    finish = np.full(n, NAT)
    reason = np.full(n, None, object)
    cu_final = np.full(n, NAT)
    finish[sim_idx], reason[sim_idx], cu_final[sim_idx] = fin1, rea1, cu1
    # defaulters who never resumed: repossessed or written off long after expiry
    stopped = np.zeros(n, bool)
    stopped[sim_idx] = stop1
    churn_at = cu_final + secs(rng.uniform(100, 250, n) * DAYS)
    churn = stopped & (churn_at <= AS_OF_END)
    churn_reason = np.where(rng.random(n) < 0.6, "REPOSSESSED", "WRITTEN_OFF")
    finish[churn] = churn_at[churn]
    reason[churn] = churn_reason[churn]
    # upfront accounts: one payment of the full price, finished at fulfilment
    up = np.flatnonzero(upfront)
    finish[up] = fulfilled[up]
    reason[up] = "PAID_OFF"

    # ---------------------------------------------------------------- returning customers
    ret_ok = (reason == "PAID_OFF") & ~upfront & (finish <= day_to_ts(AS_OF - days(70)))
    ret = np.flatnonzero(ret_ok & (rng.random(n) < P_RETURN_OF_COMPLETED))
    r_ordered = finish[ret] + secs(rng.uniform(10, 60, len(ret)) * DAYS)
    r_fulfilled = r_ordered + secs(rng.uniform(2, 120, len(ret)) * HOUR)
    r_prod = _wchoice(rng, V.RETURN_PRODUCT_WEIGHTS, len(ret))
    pay2, fin2, rea2, cu2, stop2 = _simulate(
        rng,
        r_fulfilled,
        cu_final[ret],
        ref["rate"][r_prod] * 100,
        ref["total"][r_prod],
        ref["dp"][r_prod],
        np.minimum(ptype[ret], 1),
        edge[ret],
        pref[ret],
        np.full(len(ret), np.inf),
        np.zeros(len(ret), np.int64),
    )
    installed_acc = int(installed.sum())
    irr.add("payg_returning_after_completion", "pulse.sale_order", acc_id[ret], installed_acc)

    # ---------------------------------------------------------------- payments
    p_acc = np.concatenate([sim_idx[pay1["i"]], up, ret[pay2["i"]]])
    p_t = np.concatenate([pay1["t"], fulfilled[up], pay2["t"]])
    p_amt = np.concatenate([pay1["amt"], total_c[up], pay2["amt"]])
    p_cd = np.concatenate([pay1["cd"], np.zeros(len(up), np.int64), pay2["cd"]])
    p_cub = np.concatenate([pay1["cub"], fulfilled[up], pay2["cub"]])
    p_edge = np.concatenate([pay1["edge"], np.zeros(len(up), bool), pay2["edge"]])
    first2 = np.r_[True, pay2["i"][1:] != pay2["i"][:-1]] if len(pay2["i"]) else np.zeros(0, bool)
    p_restart = np.concatenate([np.zeros(len(pay1["i"]) + len(up), bool), first2])
    order = np.lexsort((p_t, p_acc))
    p_acc, p_t, p_amt, p_cd, p_cub, p_edge, p_restart = (
        a[order] for a in (p_acc, p_t, p_amt, p_cd, p_cub, p_edge, p_restart)
    )
    pay_id = ctr.take("payg_payment", len(p_acc))
    T.add(
        "pulse",
        "payment",
        payment_id=pay_id,
        account_id=acc_id[p_acc],
        paid_at=p_t,
        amount=p_amt / 100.0,
        credit_days=p_cd,
    )
    irr.add("payg_pay_on_expiry_day", "pulse.payment", pay_id[p_edge], len(pay_id))

    # ---------------------------------------------------------------- sale orders & contracts
    so_acc = np.concatenate([np.arange(n), ret])
    so_ord = np.concatenate([ordered, r_ordered])
    so_ful = np.concatenate([fulfilled, r_fulfilled])
    so_st = np.concatenate([so_status, np.full(len(ret), "FULFILLED", object)])
    so_id = ctr.take("sale_order", len(so_acc))
    order = np.lexsort((so_ord, so_acc))
    T.add(
        "pulse",
        "sale_order",
        sale_order_id=so_id[order],
        account_id=acc_id[so_acc[order]],
        ordered_at=so_ord[order],
        fulfilled_at=so_ful[order],
        status=so_st[order],
    )
    # contract lines: main (all), addon, returning product
    ln_so = np.concatenate([np.arange(n), np.flatnonzero(has_addon), n + np.arange(len(ret))])
    ln_prod = np.concatenate([main, addon[has_addon], r_prod])
    ln_acc = so_acc[ln_so]
    ln_first = ln_so < n
    fin_ret = np.full(n, NAT)
    rea_ret = np.full(n, None, object)
    fin_ret[ret] = fin2
    rea_ret[ret] = rea2
    ln_finish = np.where(ln_first, finish[ln_acc], fin_ret[ln_acc])
    ln_reason = np.where(ln_first, reason[ln_acc], rea_ret[ln_acc])
    ln_upfront = ln_first & upfront[ln_acc]
    ln_state = so_st[ln_so]
    order = np.lexsort((ln_so,))
    ln_so, ln_prod, ln_acc, ln_finish, ln_reason, ln_upfront, ln_state = (
        a[order] for a in (ln_so, ln_prod, ln_acc, ln_finish, ln_reason, ln_upfront, ln_state)
    )
    nl = len(ln_so)
    con_id = ctr.take("contract", nl)
    o_t = so_ord[ln_so]
    f_t = so_ful[ln_so]
    cancel_t = np.concatenate([cancel_at, np.full(len(ret), NAT)])[ln_so]
    # versions: PENDING; ACTIVE at fulfilment (not upfront); FINISHED / CANCELLED
    vk = [np.arange(nl)]
    vf = [o_t]
    vs = [np.full(nl, "PENDING", object)]
    act = np.flatnonzero((ln_state == "FULFILLED") & ~ln_upfront)
    vk.append(act)
    vf.append(f_t[act])
    vs.append(np.full(len(act), "ACTIVE", object))
    fi = np.flatnonzero(~np.isnat(ln_finish))
    vk.append(fi)
    vf.append(ln_finish[fi])
    vs.append(np.full(len(fi), "FINISHED", object))
    ca = np.flatnonzero(ln_state == "CANCELLED")
    vk.append(ca)
    vf.append(cancel_t[ca])
    vs.append(np.full(len(ca), "CANCELLED", object))
    # planted: an ACTIVE version re-loaded (split in two identical versions)
    act_end = np.where(np.isnat(ln_finish), AS_OF_END, ln_finish)
    rl = act[
        (rng.random(len(act)) < P_CONTRACT_RELOAD) & (act_end[act] - f_t[act] > secs(2 * DAYS))
    ]
    rl_t = f_t[rl] + secs(rng.uniform(0.2, 0.8, len(rl)) * (act_end[rl] - f_t[rl]).astype(np.int64))
    vk.append(rl)
    vf.append(rl_t)
    vs.append(np.full(len(rl), "ACTIVE", object))
    vk, vf, vs = np.concatenate(vk), np.concatenate(vf), np.concatenate(vs)
    order = np.lexsort((vf, vk))
    vk, vf, vs = vk[order], vf[order], vs[order]
    fin_v = vs == "FINISHED"
    activated = np.where((vs == "ACTIVE") | (fin_v & ~ln_upfront[vk]), f_t[vk], NAT)
    T.add(
        "pulse",
        "contract",
        contract_id=con_id[vk],
        account_id=acc_id[ln_acc[vk]],
        sale_order_id=so_id[ln_so[vk]],
        product_id=ln_prod[vk],
        is_upfront=ln_upfront[vk],
        status=vs,
        finish_reason=np.where(fin_v, ln_reason[vk], None).astype(object),
        activated_at=activated,
        finished_at=np.where(fin_v, ln_finish[vk], NAT),
        total_price=ref["total"][ln_prod[vk]] / 100.0,
        downpayment=ref["dp"][ln_prod[vk]] / 100.0,
        daily_rate=ref["rate"][ln_prod[vk]],
        meta_effective_from_timestamp=vf,
        meta_effective_to_timestamp=chain_versions(vk, vf),
    )
    irr.add("superseded_scd2_version", "pulse.contract", con_id[rl], nl)

    # ---------------------------------------------------------------- account versions
    upg_at = np.full(n, NAT)
    upg_at[ret] = r_fulfilled
    sc = np.flatnonzero(installed & (rng.random(n) < P_SHOP_CHANGE))
    sc_at = rand_ts(rng, fulfilled[sc] + secs(DAYS), AS_OF_END, len(sc))
    ok = sc_at > fulfilled[sc] + secs(DAYS)
    sc, sc_at = sc[ok], sc_at[ok]
    shop_change = np.full(n, NAT)
    shop_change[sc] = sc_at
    old_shop = shop.copy()
    for i in sc:
        options = [s for s in V.SHOPS[opco[i]] if s != shop[i]]
        old_shop[i] = options[int(rng.integers(0, len(options)))]
    ak = np.concatenate([np.arange(n), np.flatnonzero(installed), ret, sc])
    af = np.concatenate([created, fulfilled[installed], r_fulfilled, sc_at])
    order = np.lexsort((af, ak))
    ak, af = ak[order], af[order]
    inst_v = af >= np.where(installed[ak], fulfilled[ak], SCD2_OPEN)
    upg_v = ~np.isnat(upg_at[ak]) & (af >= np.where(np.isnat(upg_at[ak]), SCD2_OPEN, upg_at[ak]))
    sc_v = ~np.isnat(shop_change[ak]) & (
        af >= np.where(np.isnat(shop_change[ak]), SCD2_OPEN, shop_change[ak])
    )
    shop_v = np.where(~np.isnat(shop_change[ak]) & ~sc_v, old_shop[ak], shop[ak])
    T.add(
        "pulse",
        "account",
        account_id=acc_id[ak],
        customer_id=cust_id[acc_cust[ak]],
        opco=opco[ak],
        shop=shop_v,
        cu_type=cu_type[ak],
        subsidy=subsidy[ak],
        sign_up_sales_agent=agent_name[ak],
        sign_up_sales_agent_code=agent_code[ak],
        install_technician=np.where(inst_v, tech_name[ak], None).astype(object),
        install_technician_code=np.where(inst_v, tech_code[ak], None).astype(object),
        upgrade_technician=np.where(upg_v, up_name[ak], None).astype(object),
        upgrade_technician_code=np.where(upg_v, up_code[ak], None).astype(object),
        installed_at=np.where(inst_v, fulfilled[ak], NAT),
        created_at=created[ak],
        meta_effective_from_timestamp=af,
        meta_effective_to_timestamp=chain_versions(ak, af),
    )
    irr.add("superseded_scd2_version", "pulse.account", acc_id[sc], n)

    # ---------------------------------------------------------------- account events
    iot = ref["iot"][main] & installed & ~upfront
    e_acc, e_t, e_type = [], [], []
    ii = np.flatnonzero(iot)
    e_acc.append(ii)
    e_t.append(fulfilled[ii] + secs(rng.uniform(5, 60, len(ii)) * 60))
    e_type.append(np.full(len(ii), "ENABLED", object))
    lapsed = iot[p_acc] & (p_t > p_cub) & (p_cd > 0)
    lapsed &= (p_cub > fulfilled[p_acc]) & ~p_restart
    li = np.flatnonzero(lapsed)
    e_acc += [p_acc[li], p_acc[li]]
    e_t += [
        p_cub[li] + secs(rng.uniform(1, 30, len(li)) * 60),
        p_t[li] + secs(rng.uniform(1, 10, len(li)) * 60),
    ]
    e_type += [np.full(len(li), "DISABLED", object), np.full(len(li), "ENABLED", object)]
    cu_all = cu_final.copy()
    cu_all[ret] = cu2
    fin_all = finish.copy()
    fin_all[ret] = fin2
    rea_all = reason.copy()
    rea_all[ret] = rea2
    still = (
        iot
        & (cu_all < AS_OF_END)
        & ((rea_all == "REPOSSESSED") | (rea_all == "WRITTEN_OFF") | np.isnat(fin_all))
    )
    si = np.flatnonzero(still & ~np.isnat(cu_all))
    e_acc.append(si)
    e_t.append(np.minimum(cu_all[si] + secs(rng.uniform(1, 30, len(si)) * 60), AS_OF_END))
    e_type.append(np.full(len(si), "DISABLED", object))
    ch = np.flatnonzero(churn)
    e_acc.append(ch)
    e_t.append(finish[ch])
    e_type.append(reason[ch].astype(object))
    e_acc, e_t, e_type = (np.concatenate(a) for a in (e_acc, e_t, e_type))
    en = np.flatnonzero(e_type == "ENABLED")
    pend = en[rng.random(len(en)) < 0.03]
    err = en[rng.random(len(en)) < 0.01]
    e_acc = np.concatenate([e_acc, e_acc[pend], e_acc[err]])
    e_type = np.concatenate(
        [
            e_type,
            np.full(len(pend), "ENABLE_PENDING", object),
            np.full(len(err), "ENABLE_ERROR", object),
        ]
    )
    err_shift = secs(rng.uniform(1, 12, len(err)) * HOUR)
    base_t = e_t.copy()
    e_t = np.concatenate(
        [e_t, base_t[pend] - secs(rng.uniform(1, 5, len(pend)) * 60), base_t[err] - err_shift]
    )
    keep = e_t <= AS_OF_END
    e_acc, e_t, e_type = e_acc[keep], e_t[keep], e_type[keep]
    order = np.lexsort((e_t, e_acc))
    T.add(
        "pulse",
        "account_event",
        event_id=ctr.take("account_event", len(e_acc)),
        account_id=acc_id[e_acc[order]],
        event_type=e_type[order],
        event_at=e_t[order],
    )

    # ---------------------------------------------------------------- notifications
    n_acc_, n_t, n_kind = [], [], []
    n_acc_.append(np.flatnonzero(installed))
    n_t.append(fulfilled[installed] + secs(HOUR))
    n_kind.append(np.full(int(installed.sum()), "welcome", object))
    later = np.r_[False, p_acc[1:] == p_acc[:-1]]
    rem = np.flatnonzero(later & (rng.random(len(p_acc)) < 0.4) & (p_cd > 0))
    rem_t = p_cub[rem] - secs(2 * DAYS)
    prev_t = p_t[np.maximum(rem - 1, 0)]
    ok = rem_t > prev_t
    n_acc_.append(p_acc[rem[ok]])
    n_t.append(rem_t[ok])
    n_kind.append(np.full(int(ok.sum()), "reminder", object))
    gap_d = (p_t - p_cub).astype(np.int64) / DAYS
    exp = np.flatnonzero(later & (gap_d > 3))
    n_acc_.append(p_acc[exp])
    n_t.append(p_cub[exp] + secs(3 * DAYS))
    n_kind.append(np.full(len(exp), "expired", object))
    dflt = np.flatnonzero(later & (gap_d > threshold[p_acc] - 5))
    n_acc_.append(p_acc[dflt])
    n_t.append(p_cub[dflt] + secs((threshold[p_acc[dflt]] - 5) * DAYS))
    n_kind.append(np.full(len(dflt), "default", object))
    po = np.flatnonzero((rea_all == "PAID_OFF") & ~upfront)
    n_acc_.append(po)
    n_t.append(fin_all[po] + secs(HOUR))
    n_kind.append(np.full(len(po), "paid_off", object))
    n_acc_, n_t, n_kind = (np.concatenate(a) for a in (n_acc_, n_t, n_kind))
    keep = n_t <= AS_OF_END
    n_acc_, n_t, n_kind = n_acc_[keep], n_t[keep], n_kind[keep]
    order = np.lexsort((n_t, n_acc_))
    n_acc_, n_t, n_kind = n_acc_[order], n_t[order], n_kind[order]
    nn = len(n_acc_)
    lang = np.empty(nn, object)
    for o in opcos:
        s = np.flatnonzero(opco[n_acc_] == o)
        langs = V.OPCOS[o][2]
        lang[s] = choice(rng, [x for x, _ in langs], [w for _, w in langs], len(s))
    T.add(
        "pulse",
        "notification",
        notification_id=ctr.take("notification", nn),
        account_id=acc_id[n_acc_],
        campaign_name=np.array([V.NOTIFICATIONS[k][0] for k in n_kind], dtype=object),
        notification_name=np.array([V.NOTIFICATIONS[k][1] for k in n_kind], dtype=object),
        language=lang,
        delivery_state=choice(rng, V.DELIVERY_STATES, [0.9, 0.07, 0.03], nn),
        sent_at=n_t,
    )
    return T
