-- one row per PAYG payment: the account's credit timeline after that payment
-- credit_until_n = max(credit_until_{n-1}, paid_date_n) + credit_days_n, without recursion:
-- with s_n the running sum of credit days, credit_until_n = s_n + max over k <= n of
-- (paid_day_k - s_{k-1}), days counted from a fixed epoch (two window functions).
-- Incremental: payments are loaded when they are paid, so a run recomputes only the payments of
-- the lookback window, each account's timeline carried on from its last payment before the window
-- (credit_until_0 = that payment's credit_until, s_0 = 0).
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_key('payment_id', 'paid_date', cluster_by=['account_id'])) }}

with

payments as (
    select * from {{ ref('stg_pulse__payments') }}
    {% if is_incremental() %}
        where {{ loaded_within_lookback('paid_at') }}
    {% endif %}
),

-- each account's timeline before the window: its last payment already built
carried as (
    {% if is_incremental() %}
        select
            account_id,
            payment_sequence as carried_payment_sequence,
            credit_until_date as carried_credit_until_date
        from (
            select
                account_id,
                payment_sequence,
                credit_until_date,
                row_number() over (
                    partition by account_id
                    order by payment_sequence desc
                ) as carried_rank
            from {{ this }}
            where not ({{ loaded_within_lookback('paid_at') }})
        ) as built
        where carried_rank = 1
    {% else %}
        select
            cast(null as {{ dbt.type_bigint() }}) as account_id,
            cast(null as {{ dbt.type_bigint() }}) as carried_payment_sequence,
            cast(null as date) as carried_credit_until_date
        from (select 1 as placeholder) as no_rows
        where 1 = 0
    {% endif %}
),

numbered as (
    select
        payments.payment_id,
        payments.account_id,
        payments.paid_at,
        {{ to_date('payments.paid_at') }} as paid_date,
        payments.amount,
        payments.credit_days,
        carried.carried_credit_until_date,
        {{ days_between("cast('2000-01-01' as date)", to_date('payments.paid_at')) }}
            as paid_day_number,
        {{ days_between("cast('2000-01-01' as date)", 'carried.carried_credit_until_date') }}
            as carried_day_number,
        coalesce(carried.carried_payment_sequence, 0) + row_number() over (
            partition by payments.account_id
            order by payments.paid_at, payments.payment_id
        ) as payment_sequence
    from payments
    left join carried
        on payments.account_id = carried.account_id
),

running_credit as (
    select
        *,
        sum(credit_days) over (
            partition by account_id
            order by payment_sequence
            rows between unbounded preceding and current row
        ) as cumulative_credit_days
    from numbered
),

anchored as (
    select
        *,
        max(paid_day_number - (cumulative_credit_days - credit_days)) over (
            partition by account_id
            order by payment_sequence
            rows between unbounded preceding and current row
        ) as credit_anchor_day_number
    from running_credit
),

timeline as (
    select
        *,
        {{ add_days(
            "cast('2000-01-01' as date)",
            'cumulative_credit_days + case when carried_day_number > credit_anchor_day_number '
            ~ 'then carried_day_number else credit_anchor_day_number end'
        ) }} as credit_until_date
    from anchored
),

with_previous as (
    select
        *,
        coalesce(
            lag(credit_until_date) over (
                partition by account_id
                order by payment_sequence
            ),
            carried_credit_until_date
        ) as previous_credit_until_date
    from timeline
),

final as (
    select
        payment_id,
        account_id,
        payment_sequence,
        paid_at,
        paid_date,
        amount,
        credit_days,
        previous_credit_until_date,
        credit_until_date,
        case
            when previous_credit_until_date is null then 0
            when paid_date > previous_credit_until_date
                then {{ days_between('previous_credit_until_date', 'paid_date') }}
            else 0
        end as days_expired_when_paid
    from with_previous
)

select * from final
