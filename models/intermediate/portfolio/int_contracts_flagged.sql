-- one row per PAYG contract (current version): its dates as days, the day it counts in its
-- account's portfolio from, the day it ended, and its product flags (TV, ESF, IoT)
-- A view: read once per build by int_accounts_stated_monthly.
{{ config(materialized='view') }}

with

contracts as (
    select * from {{ ref('stg_pulse__contracts') }}
),

sale_orders as (
    select * from {{ ref('stg_pulse__sale_orders') }}
),

products as (
    select * from {{ ref('stg_pulse__products') }}
),

dated as (
    select
        contracts.contract_id,
        contracts.account_id,
        contracts.is_upfront,
        contracts.contract_status,
        contracts.finish_reason,
        contracts.total_price,
        contracts.daily_rate,
        {{ to_date('contracts.activated_at') }} as activated_date,
        {{ to_date('contracts.finished_at') }} as finished_date,
        {{ to_date('sale_orders.ordered_at') }} as ordered_date,
        case
            when contracts.contract_status = 'FINISHED' then {{ to_date('contracts.finished_at') }}
            when contracts.contract_status = 'CANCELLED'
                then coalesce(
                        {{ to_date('contracts.finished_at') }},
                        {{ to_date('contracts.activated_at') }},
                        {{ to_date('sale_orders.ordered_at') }}
                    )
        end as ended_date,
        coalesce(
            products.tags like '%TV%'
            or products.product_name like '%TV%'
            or products.product_category like '%TV%',
            false
        ) as is_tv_product,
        coalesce(
            (
                products.tags like '%ESF%'
                or products.product_name like '%ESF%'
                or products.product_category like '%ESF%'
            )
            and lower(products.product_name) not like '%upgrade%'
            and lower(coalesce(products.tags, '')) not like '%upgrade%',
            false
        ) as is_esf_product,
        coalesce(products.has_iot, false) as is_iot_product
    from contracts
    left join sale_orders
        on contracts.sale_order_id = sale_orders.sale_order_id
    left join products
        on contracts.product_id = products.product_id
),

final as (
    select
        *,
        -- a contract counts in its account's month-ends from its order day (its activation day
        -- when it has no sale order); without either it never counts
        coalesce(ordered_date, activated_date) as counted_from_date,
        -- an instalment contract (not upfront, active or finished): it falls due every day it runs
        -- (from its activation, or from each month-end's month when its activation is unknown);
        -- an unknown upfront flag or status does not exclude it
        not coalesce(
            is_upfront or contract_status not in ('ACTIVE', 'FINISHED'), false
        ) as is_instalment,
        -- an instalment contract known to be one and activated: it is priced in the account's
        -- contracted price from its activation, and active until it finishes
        coalesce(
            not is_upfront and contract_status in ('ACTIVE', 'FINISHED')
            and activated_date is not null,
            false
        ) as is_instalment_activated,
        -- a number that grows with the choice of an account's last ended contract: the latest
        -- end day, a finish before a cancellation, then the largest id (an integer, so that
        -- int_accounts_stated_monthly carries its maximum forward cheaply)
        case
            when ended_date is not null
                then row_number() over (
                        partition by account_id, ended_date is null
                        order by
                            ended_date,
                            case when contract_status = 'FINISHED' then 1 else 0 end,
                            contract_id
                    )
        end as ended_sort_key
    from dated
)

select * from final
