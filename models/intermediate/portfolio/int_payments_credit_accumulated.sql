-- one row per PAYG payment: the account's credit timeline after that payment
-- credit_until_n = max(credit_until_{n-1}, paid_date_n) + credit_days_n, without recursion:
-- with s_n the running sum of credit days, credit_until_n = s_n + max over k <= n of
-- (paid_day_k - s_{k-1}), days counted from a fixed epoch (two window functions)
with

payments as (
    select * from {{ ref('stg_pulse__payments') }}
),

numbered as (
    select
        payment_id,
        account_id,
        paid_at,
        {{ to_date('paid_at') }} as paid_date,
        amount,
        credit_days,
        {{ days_between("cast('2000-01-01' as date)", to_date('paid_at')) }}
            as paid_day_number,
        row_number() over (
            partition by account_id
            order by paid_at, payment_id
        ) as payment_sequence
    from payments
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
            'cumulative_credit_days + credit_anchor_day_number'
        ) }} as credit_until_date
    from anchored
),

with_previous as (
    select
        *,
        lag(credit_until_date) over (
            partition by account_id
            order by payment_sequence
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
