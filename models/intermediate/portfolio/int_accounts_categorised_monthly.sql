-- one row per PAYG account per month-end, from the month of its first sale order to the as-of
-- month (the as-of month's snapshot is taken on the as-of day): Portfolio Category at every level
-- of the hierarchy of 002, days expired, the month's transitions and the slicing dimensions
-- Incremental: a run rebuilds each account's months from its refresh_from_month
-- (int_accounts_refresh_scoped: the lookback window's first month, or every month of an account
-- whose history changed), replacing them by (account_id, activity_month).
-- depends_on: {{ ref('int_accounts_refresh_scoped') }}
{{ config(**incremental_by_key(
    ['account_id', 'activity_month'], 'activity_month', cluster_by=['account_id']
)) }}

with

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

sale_orders as (
    select * from {{ ref('stg_pulse__sale_orders') }}
),

contracts as (
    select * from {{ ref('stg_pulse__contracts') }}
),

products as (
    select * from {{ ref('stg_pulse__products') }}
),

payment_credit as (
    select * from {{ ref('int_payments_credit_accumulated') }}
),

account_events as (
    select * from {{ ref('stg_pulse__account_events') }}
),

opco_policy as (
    select * from {{ ref('opco_default_policy') }}
),

months as (
    select * from {{ ref('util_month_spine') }}
),

as_of as (
    select * from {{ ref('util_as_of_date') }}
),
{% if is_incremental() %}

    refresh_scope as (
        select * from {{ ref('int_accounts_refresh_scoped') }}
    ),
{% endif %}

account_orders as (
    select
        account_id,
        min({{ to_date('ordered_at') }}) as first_order_date,
        min({{ to_date('fulfilled_at') }}) as first_fulfilled_date
    from sale_orders
    group by account_id
),

account_base as (
    select
        accounts.account_id,
        accounts.customer_id,
        accounts.opco,
        accounts.shop,
        accounts.cu_type,
        accounts.subsidy,
        opco_policy.default_after_days_expired,
        account_orders.first_order_date,
        coalesce(
            account_orders.first_fulfilled_date, {{ to_date('accounts.installed_at') }}
        ) as installation_date
    from accounts
    inner join account_orders
        on accounts.account_id = account_orders.account_id
    left join opco_policy
        on accounts.opco = opco_policy.opco
),

account_months as (
    select
        account_base.*,
        months.month_start_date as activity_month,
        case
            when months.month_end_date > as_of.as_of_date then as_of.as_of_date
            else months.month_end_date
        end as snapshot_date
    from account_base
    inner join months
        on months.month_start_date >= {{ month_start('account_base.first_order_date') }}
    cross join as_of
    {% if is_incremental() %}
        -- from the month before the first rebuilt one: the previous month's category (lag)
        inner join refresh_scope
            on account_base.account_id = refresh_scope.account_id
                and months.month_start_date >= cast(
                    {{ dbt.dateadd('month', -1, 'refresh_scope.refresh_from_month') }} as date
                )
    {% endif %}
),

contract_facts as (
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

contract_months as (
    select
        account_months.account_id,
        account_months.activity_month,
        account_months.snapshot_date,
        contract_facts.contract_id,
        contract_facts.is_upfront,
        contract_facts.contract_status,
        contract_facts.finish_reason,
        contract_facts.total_price,
        contract_facts.daily_rate,
        contract_facts.activated_date,
        contract_facts.finished_date,
        contract_facts.ended_date,
        contract_facts.is_tv_product,
        contract_facts.is_esf_product,
        contract_facts.is_iot_product,
        coalesce(
            not contract_facts.is_upfront
            and contract_facts.contract_status in ('ACTIVE', 'FINISHED')
            and contract_facts.activated_date <= account_months.snapshot_date
            and (
                contract_facts.finished_date is null
                or contract_facts.finished_date > account_months.snapshot_date
            ),
            false
        ) as is_active_at_snapshot,
        case
            when contract_facts.is_upfront
                or contract_facts.contract_status not in ('ACTIVE', 'FINISHED')
                or contract_facts.activated_date > account_months.snapshot_date
                then null
            when contract_facts.activated_date > account_months.activity_month
                then contract_facts.activated_date
            else account_months.activity_month
        end as due_from_date,
        case
            when contract_facts.finished_date is null then account_months.snapshot_date
            when contract_facts.finished_date > account_months.snapshot_date
                then account_months.snapshot_date
            else {{ add_days('contract_facts.finished_date', -1) }}
        end as due_until_date
    from account_months
    inner join contract_facts
        on account_months.account_id = contract_facts.account_id
            and coalesce(
                contract_facts.ordered_date, contract_facts.activated_date
            ) <= account_months.snapshot_date
),

contract_summary as (
    select
        account_id,
        activity_month,
        count(*) as contract_count,
        sum(case when is_upfront then 1 else 0 end) as upfront_contract_count,
        sum(case when is_active_at_snapshot then 1 else 0 end) as active_contract_count,
        sum(
            case when is_active_at_snapshot and is_esf_product then 1 else 0 end
        ) as active_esf_contract_count,
        max(case when is_tv_product and contract_status != 'CANCELLED' then 1 else 0 end)
            as has_tv_product,
        max(case when is_iot_product and contract_status != 'CANCELLED' then 1 else 0 end)
            as has_iot_product,
        max(case when is_active_at_snapshot then activated_date end) as latest_activated_date,
        sum(
            case
                when not is_upfront and contract_status in ('ACTIVE', 'FINISHED')
                    and activated_date <= snapshot_date
                    then total_price
                else 0
            end
        ) as contracted_price_to_date,
        sum(
            case
                when due_from_date is not null and due_until_date >= due_from_date
                    then daily_rate * (1 + {{ days_between('due_from_date', 'due_until_date') }})
                else 0
            end
        ) as amount_due_in_month
    from contract_months
    group by account_id, activity_month
),

ended_contracts_ranked as (
    select
        account_id,
        activity_month,
        ended_date as last_ended_date,
        is_upfront as last_ended_is_upfront,
        coalesce(finish_reason, contract_status) as last_ended_reason,
        row_number() over (
            partition by account_id, activity_month
            order by
                ended_date desc,
                case when contract_status = 'FINISHED' then 0 else 1 end,
                contract_id desc
        ) as end_rank
    from contract_months
    where ended_date <= snapshot_date
),

last_ended_contracts as (
    select * from ended_contracts_ranked
    where end_rank = 1
),

credit_summary as (
    select
        account_months.account_id,
        account_months.activity_month,
        max(payment_credit.credit_until_date) as credit_until_date,
        count(*) as payment_count_to_date,
        sum(payment_credit.amount) as amount_paid_to_date,
        -- the latest payment made while the account was expired: the day its credit came back
        max(
            case when payment_credit.days_expired_when_paid > 0 then payment_credit.paid_date end
        ) as last_restoring_paid_date,
        sum(
            case
                when payment_credit.paid_date >= account_months.activity_month
                    then payment_credit.amount
                else 0
            end
        ) as amount_paid_in_month
    from account_months
    inner join payment_credit
        on account_months.account_id = payment_credit.account_id
            and account_months.snapshot_date >= payment_credit.paid_date
    group by account_months.account_id, account_months.activity_month
),

downpayments as (
    select
        account_id,
        credit_until_date as downpayment_credit_until_date
    from payment_credit
    where payment_sequence = 1
),

enable_events_ranked as (
    select
        account_months.account_id,
        account_months.activity_month,
        account_events.event_type,
        row_number() over (
            partition by account_months.account_id, account_months.activity_month
            order by account_events.event_at desc, account_events.account_event_id desc
        ) as event_rank
    from account_months
    inner join account_events
        on account_months.account_id = account_events.account_id
            and {{ to_date('account_events.event_at') }} <= account_months.snapshot_date
    where account_events.event_type in ('ENABLED', 'DISABLED', 'ENABLE_PENDING', 'ENABLE_ERROR')
),

latest_enable_events as (
    select * from enable_events_ranked
    where event_rank = 1
),

joined as (
    select
        account_months.account_id,
        account_months.customer_id,
        account_months.activity_month,
        account_months.snapshot_date,
        account_months.opco,
        account_months.shop,
        account_months.cu_type,
        account_months.subsidy,
        account_months.default_after_days_expired,
        account_months.first_order_date,
        account_months.installation_date,
        coalesce(contract_summary.contract_count, 0) as contract_count,
        coalesce(contract_summary.upfront_contract_count, 0) as upfront_contract_count,
        coalesce(contract_summary.active_contract_count, 0) as active_contract_count,
        coalesce(contract_summary.active_esf_contract_count, 0) as active_esf_contract_count,
        coalesce(contract_summary.has_tv_product, 0) as has_tv_product,
        coalesce(contract_summary.has_iot_product, 0) as has_iot_product,
        contract_summary.latest_activated_date,
        coalesce(contract_summary.contracted_price_to_date, 0) as contracted_price_to_date,
        coalesce(contract_summary.amount_due_in_month, 0) as amount_due_in_month,
        last_ended_contracts.last_ended_date,
        last_ended_contracts.last_ended_reason,
        last_ended_contracts.last_ended_is_upfront,
        credit_summary.credit_until_date,
        credit_summary.last_restoring_paid_date,
        coalesce(credit_summary.payment_count_to_date, 0) as payment_count_to_date,
        coalesce(credit_summary.amount_paid_to_date, 0) as amount_paid_to_date,
        coalesce(credit_summary.amount_paid_in_month, 0) as amount_paid_in_month,
        downpayments.downpayment_credit_until_date,
        latest_enable_events.event_type as latest_enable_event_type,
        case
            when account_months.installation_date is null
                or account_months.installation_date > account_months.snapshot_date
                then 'Pre-Portfolio'
            when coalesce(contract_summary.active_contract_count, 0) > 0
                then 'Contracted Portfolio'
            else 'Uncontracted Portfolio'
        end as portfolio_level_1
    from account_months
    left join contract_summary
        on account_months.account_id = contract_summary.account_id
            and account_months.activity_month = contract_summary.activity_month
    left join last_ended_contracts
        on account_months.account_id = last_ended_contracts.account_id
            and account_months.activity_month = last_ended_contracts.activity_month
    left join credit_summary
        on account_months.account_id = credit_summary.account_id
            and account_months.activity_month = credit_summary.activity_month
    left join downpayments
        on account_months.account_id = downpayments.account_id
    left join latest_enable_events
        on account_months.account_id = latest_enable_events.account_id
            and account_months.activity_month = latest_enable_events.activity_month
),

expiry as (
    select
        *,
        case
            when portfolio_level_1 != 'Contracted Portfolio' then null
            when coalesce(credit_until_date, installation_date) >= snapshot_date then 0
            else {{ days_between(
                'coalesce(credit_until_date, installation_date)', 'snapshot_date'
            ) }}
        end as days_expired
    from joined
),

categorised as (
    select
        *,
        case
            when portfolio_level_1 = 'Pre-Portfolio' then 'Pre-Portfolio'
            when portfolio_level_1 = 'Contracted Portfolio'
                then case
                        when days_expired >= default_after_days_expired then 'Defaulted'
                        when days_expired > 0 then 'Late'
                        when snapshot_date <= downpayment_credit_until_date then 'New'
                        else 'Normal'
                    end
            when contract_count > 0 and contract_count = upfront_contract_count then 'Upfront'
            when last_ended_reason = 'REPOSSESSED' then 'Repossessed'
            when last_ended_reason = 'WRITTEN_OFF' then 'Lost/Written Off'
            when last_ended_reason = 'PAID_OFF' and last_ended_is_upfront then 'Upfront'
            when last_ended_reason = 'PAID_OFF' then 'Completed'
            when last_ended_reason = 'OPT_OUT' then 'Opted Out'
            else 'Other'
        end as portfolio_category
    from expiry
),

levelled as (
    select
        *,
        case
            when portfolio_category in ('New', 'Normal', 'Late') then 'Active Portfolio'
            when portfolio_category = 'Defaulted' then 'Defaulted Portfolio'
            when portfolio_category in ('Repossessed', 'Lost/Written Off') then 'Churned'
            when portfolio_category in ('Completed', 'Opted Out', 'Upfront') then 'Paid'
            when portfolio_category = 'Other' then 'Inactive/Void'
            else 'Pre-Portfolio'
        end as portfolio_level_2,
        case
            when portfolio_category in ('Completed', 'Opted Out') then 'Finished'
            else portfolio_category
        end as portfolio_level_3,
        lag(portfolio_category) over (
            partition by account_id
            order by activity_month
        ) as previous_portfolio_category
    from categorised
),

final as (
    select
        account_id,
        customer_id,
        activity_month,
        snapshot_date,
        opco,
        shop,
        cu_type,
        subsidy,
        default_after_days_expired,
        first_order_date,
        installation_date,
        {{ month_start('installation_date') }} as installation_month,
        portfolio_level_1,
        portfolio_level_2,
        portfolio_level_3,
        portfolio_category,
        coalesce(previous_portfolio_category, 'Pre-Portfolio') as previous_portfolio_category,
        -- the day the account entered its month-end category: Late the day after its credit ran
        -- out, Defaulted the day days_expired reached the opco's threshold, New at activation,
        -- Normal the latest of activation, the day after the downpayment's credit and the last
        -- payment that ended a lapse; Uncontracted categories the day the last contract ended
        case
            when portfolio_category != coalesce(previous_portfolio_category, 'Pre-Portfolio')
                then case
                        when portfolio_category = 'Defaulted'
                            then {{ add_days(
                                'coalesce(credit_until_date, installation_date)',
                                'default_after_days_expired'
                            ) }}
                        when portfolio_category = 'Late'
                            then {{ add_days(
                                'coalesce(credit_until_date, installation_date)', 1
                            ) }}
                        when portfolio_category = 'New'
                            then coalesce(latest_activated_date, installation_date)
                        when portfolio_category = 'Normal'
                            then greatest(
                                    coalesce(latest_activated_date, installation_date),
                                    coalesce(
                                        {{ add_days('downpayment_credit_until_date', 1) }},
                                        coalesce(latest_activated_date, installation_date)
                                    ),
                                    coalesce(
                                        last_restoring_paid_date,
                                        coalesce(latest_activated_date, installation_date)
                                    )
                                )
                        when portfolio_level_1 = 'Uncontracted Portfolio'
                            then coalesce(last_ended_date, snapshot_date)
                    end
        end as category_changed_date,
        credit_until_date,
        downpayment_credit_until_date,
        days_expired,
        case
            when days_expired is null then null
            when days_expired = 0 then 'Normal'
            when days_expired <= 7 then '1-7'
            when days_expired <= 30 then '8-30'
            when days_expired <= 60 then '31-60'
            when days_expired <= 90 then '61-90'
            when days_expired <= 120 then '91-120'
            else 'Over 120'
        end as par_bucket,
        contract_count,
        active_contract_count,
        case
            when has_iot_product = 0 then 'Not applicable'
            when latest_enable_event_type = 'ENABLED' then 'Enabled'
            when latest_enable_event_type = 'DISABLED' then 'Disabled'
            when latest_enable_event_type = 'ENABLE_PENDING' then 'Pending'
            when latest_enable_event_type = 'ENABLE_ERROR' then 'Error'
            else 'Unknown'
        end as enable_status,
        case when has_tv_product = 1 then 'Has TV' else 'No TV' end as tv_customer,
        case
            when active_contract_count > 0 and active_contract_count = active_esf_contract_count
                then 'Yes'
            else 'No'
        end as esf_only_customer,
        case
            when amount_paid_in_month <= 0 then 'No payment'
            when amount_paid_in_month < 5 then 'Under 5'
            when amount_paid_in_month < 10 then '5 to under 10'
            when amount_paid_in_month < 20 then '10 to under 20'
            else '20 and over'
        end as arpu_range,
        payment_count_to_date,
        amount_paid_to_date,
        amount_paid_in_month,
        amount_due_in_month,
        contracted_price_to_date,
        case
            when portfolio_level_1 != 'Contracted Portfolio' then 0
            when contracted_price_to_date > amount_paid_to_date
                then contracted_price_to_date - amount_paid_to_date
            else 0
        end as outstanding_balance
    from levelled
)

select final.* from final
{% if is_incremental() %}
    inner join refresh_scope
        on final.account_id = refresh_scope.account_id
            and final.activity_month >= refresh_scope.refresh_from_month
{% endif %}
