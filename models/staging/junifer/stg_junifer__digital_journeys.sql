-- one row per digital journey attempt
-- The source spells these columns in mixed case (Read_Date, ...); renaming them to lower case
-- is the whole point of this model, which AL09 reads as a self alias.
-- noqa: disable=AL09
with

source as (
    select * from {{ source('soe_junifer_model', 'digital_journey_performance') }}
),

renamed as (
    select
        Journey_id as journey_id,
        Account_number as account_number,
        Mpxn as mpxn,
        KPI_name as kpi_name,
        Channel as channel,
        DB_Source as db_source,
        Created_date as created_date,
        Success_status as success_status,
        meta_loaded_at as loaded_at
    from source
)

select * from renamed
