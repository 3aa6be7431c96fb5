select rowid, concat_ws(' ', figure_id, indicator, value_as_printed, population, geography_as_printed,
        country_code, reference_period_as_printed, quote, note) from survey_figures
